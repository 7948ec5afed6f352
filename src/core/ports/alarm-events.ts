// Port: alarm events from the recorder (Hikvision ISAPI alertStream "IO" events, ONVIF digital inputs). The NVR
// adapter produces them; the nvr-io button consumes them. Only what a button needs is in the shape.

export interface AlarmEvent {
  kind: 'io';
  /** NVR alarm input number (ISAPI inputIOPortID). */
  input: number;
  /** true when the input became active, false when it went back to normal. */
  active: boolean;
  /** When the recorder says it happened, if it says. */
  at?: Date;
}

/** A stream of alarm events that ends when the connection is closed for good; reconnecting is the producer's job. */
export type AlarmEvents = AsyncIterable<AlarmEvent>;

/** Port: the recorder's alarm outputs (relay, buzzer, strobe) driven through ISAPI or ONVIF. */
export interface AlarmOutputs {
  setOutput(output: number, active: boolean): Promise<void>;
}
