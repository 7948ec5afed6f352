// Port: turns packet contents into the signed (and optionally encrypted) bytes that are published. The crypto
// adapter implements it with jose and the device key; the publish service never sees a key.
import type { PacketContents } from '../packet/build.js';

export interface PacketSealer {
  /** The device id (signing key fingerprint) that goes into each manifest. */
  readonly deviceId: string;
  /** Throws when the contents break the schema, a hash, or the size limit; never returns a partial packet. */
  seal(contents: PacketContents): Promise<Buffer>;
}
