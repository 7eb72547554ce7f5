// A fix of the MongoDB driver (7.8) applied at load: a command written to a socket that was
// destroyed meanwhile waits for the socket's 'drain' event, which never comes. When the server
// restarts under load (seen with FerretDB in the fault drills), the monitor's heartbeat can hit
// that window: its check never ends, the server stays "Unknown" and every operation fails server
// selection until the process restarts. Here the write also ends when the socket closes, as a
// network error, so the monitor fails the heartbeat, reconnects and the pool recovers.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { MongoNetworkError } from 'mongodb';

type WriteCommand = (this: { socket: Socket }, command: unknown, options: unknown) => Promise<void>;

const require = createRequire(import.meta.url);
const { Connection } = require('mongodb/lib/cmap/connection.js') as {
  Connection: { prototype: { writeCommand: WriteCommand } };
};

const original = Connection.prototype.writeCommand;
if (!(original as { patched?: boolean }).patched) {
  const writeCommand: WriteCommand = async function (command, options) {
    const socket = this.socket;
    let onClose = () => {};
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new MongoNetworkError('connection closed while a command was being written'));
      if (socket.destroyed) onClose();
      else socket.once('close', onClose);
    });
    closed.catch(() => undefined);
    try {
      return await Promise.race([original.call(this, command, options), closed]);
    } finally {
      socket.off('close', onClose);
    }
  };
  Object.assign(writeCommand, { patched: true });
  Connection.prototype.writeCommand = writeCommand;
}
