#!/bin/sh
# bcrp-edge command line (installed by the bcrp-edge Debian package)
exec /usr/bin/node /usr/lib/bcrp-edge/dist/main.js "$@"
