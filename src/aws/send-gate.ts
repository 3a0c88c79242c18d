import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

/** Asked right before a request's first byte leaves: false means nothing is sent. */
export type SendGate = () => boolean;

const refused = () =>
  Object.assign(new Error('not sent: this replica no longer holds the leader lease'), { name: 'LeaseLost', code: 'LeaseLost' });

/**
 * Connection pools whose requests are sent only while the gate is open, asked when a request gets its socket: a reused
 * connection is checked as it is handed over, a new one once it is connected (so a process paused while connecting
 * asks again when it resumes). Between that check and the write there is only the same turn of the event loop, so a
 * leader paused after it decided to call sends nothing when it wakes up without its lease. A check before the SDK
 * call could not promise this: signing, queueing and connecting all lie between it and the socket.
 */
export function gatedAgents(gate: SendGate): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  // The SDK's own defaults: keep connections alive, at most 50 per host.
  const options = { keepAlive: true, maxSockets: 50 };
  return { httpAgent: new (gated(http.Agent, 'connect', gate))(options), httpsAgent: new (gated(https.Agent, 'secureConnect', gate))(options) };
}

type Callback = (err: Error | null, stream: Duplex) => void;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base constructor must take any[]
function gated<A extends new (...args: any[]) => http.Agent>(Base: A, connectedEvent: 'connect' | 'secureConnect', gate: SendGate): A {
  return class extends Base {
    override createConnection(options: http.ClientRequestArgs, callback: Callback): undefined {
      const socket = super.createConnection(options)!;
      const failed = (err: Error) => callback(err, socket);
      socket.once('error', failed);
      socket.once(connectedEvent, () => {
        socket.off('error', failed);
        if (gate()) return callback(null, socket);
        socket.destroy();
        callback(refused(), socket);
      });
    }

    override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
      super.reuseSocket(socket, request);
      if (!gate()) request.destroy(refused());
    }
  };
}
