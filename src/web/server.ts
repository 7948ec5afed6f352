// Listens on HTTPS with the appliance's own certificate, and wraps that as a lifecycle Module for `run` and
// `demo`. The session-signing secret lives in the data dir (0600), made on first start.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';
import type { Module } from '../core/ports/module.js';
import { buildWebApp } from './app.js';
import type { WebDeps } from './deps.js';

export interface WebServerOptions {
  bind: string;
  /** 0 picks a free port. */
  port: number;
  tls: { cert: Buffer | string; key: Buffer | string };
}

export interface RunningWebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startWebServer(deps: WebDeps, options: WebServerOptions): Promise<RunningWebServer> {
  return listenHttps((https) => buildWebApp(deps, { https }), options);
}

/** Builds an app with the TLS certificate and listens (the appliance's web UI and the hub page alike). */
export async function listenHttps(
  build: (https: { cert: Buffer | string; key: Buffer | string }) => FastifyInstance,
  options: WebServerOptions,
): Promise<RunningWebServer> {
  const tlsApp = build({ cert: options.tls.cert, key: options.tls.key });
  await tlsApp.listen({ host: options.bind, port: options.port });
  const port = (tlsApp.server.address() as AddressInfo).port;
  const host = options.bind.includes(':') ? `[${options.bind}]` : options.bind;
  return { url: `https://${host}:${port}`, port, close: () => tlsApp.close() };
}

/** Reads (or makes, 0600) the secret that signs session cookies. */
export function loadOrCreateSessionSecret(dataDir: string): string {
  return loadOrCreateSecretFile(join(dataDir, 'keys', 'web-session.key'));
}

/** Reads (or makes, 0600, in a 0700 directory) a random secret file; refuses one other users can read. */
export function loadOrCreateSecretFile(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    throw new AppError('session-key-exposed', `${file} can be read by other users: chmod 600 it`);
  }
  return readFileSync(file, 'utf8').trim();
}

/** The web UI as a lifecycle module: start listens, stop closes (open event streams included). */
export function webModule(deps: WebDeps, options: WebServerOptions, onReady?: (url: string) => void): Module {
  let running: RunningWebServer | undefined;
  let pruner: NodeJS.Timeout | undefined;
  return {
    name: 'web',
    async start() {
      running = await startWebServer(deps, options);
      const store = deps.sessionStore;
      if (store.prune) {
        pruner = setInterval(() => {
          try {
            store.prune?.();
          } catch (e) {
            deps.log.warn({ err: e }, 'could not prune expired web sessions');
          }
        }, 3600_000);
        pruner.unref();
      }
      onReady?.(running.url);
    },
    async stop() {
      clearInterval(pruner);
      await running?.close();
      running = undefined;
    },
  };
}
