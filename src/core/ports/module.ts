// Port: one feature of the running service, in the style of a zigbee2mqtt extension. app/lifecycle.ts starts the
// modules in order and stops them in reverse; adapters (systemd), services (retention) and the web server provide them.

/** The constructor only stores its dependencies; start() and stop() do the work. */
export interface Module {
  readonly name: string;
  /** A critical module's failure to start stops the service (the store, for instance). */
  readonly critical?: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}
