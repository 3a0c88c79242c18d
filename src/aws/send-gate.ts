import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Asked right before a request's first byte leaves: false means nothing is sent. */
export type SendGate = () => boolean;

const refused = () =>
  Object.assign(new Error('not sent: this replica no longer holds the leader lease'), { name: 'LeaseLost', code: 'LeaseLost' });

/**
 * Connection pools whose requests are sent only while the gate is open, asked right before a request's first byte is
 * written: when a request is handed a connection that is already open (a kept-alive one, or one freed while the
 * request waited in the pool's queue), and when a new connection comes up (its held writes wait for that). A call
 * begun before a pause is thus not sent when the process wakes up without its lease; a check before the SDK call
 * could not promise this, since signing, queueing and connecting all lie between it and the socket. What remains is
 * one tick between the check and the write, well inside the margin between renew deadline and lease duration. A
 * refused request closes its connection.
 */
export function gatedAgents(gate: SendGate): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  // The SDK's own defaults: keep connections alive, at most 50 per host.
  const options = { keepAlive: true, maxSockets: 50 };
  return { httpAgent: new (gated(http.Agent, 'connect', gate))(options), httpsAgent: new (gated(https.Agent, 'secureConnect', gate))(options) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base constructor must take any[]
function gated<A extends new (...args: any[]) => http.Agent>(Base: A, connectedEvent: 'connect' | 'secureConnect', gate: SendGate): A {
  return class extends Base {
    // Returned at once, so the pool counts it against its limit while it connects.
    override createConnection(options: http.ClientRequestArgs): Duplex {
      const socket = super.createConnection(options)!;
      // Added before any request writes: runs before the writes held while connecting.
      socket.once(connectedEvent, () => {
        if (!gate()) socket.destroy(refused());
      });
      return socket;
    }

    // Not in Node's typings, but the one place every request passes through, queued ones included.
    addRequest(request: http.ClientRequest, options: http.ClientRequestArgs): void {
      request.once('socket', (socket: Socket) => {
        // Emitted right before the request is written; a connecting socket is checked when it comes up.
        if (!socket.connecting && !gate()) request.destroy(refused());
      });
      (Base.prototype as unknown as { addRequest: (r: http.ClientRequest, o: http.ClientRequestArgs) => void }).addRequest.call(this, request, options);
    }
  };
}
