/** A GitHub push event's body, for the watched branch unless told otherwise. */
export function pushEvent(branch = 'main'): Buffer {
  return Buffer.from(JSON.stringify({ ref: `refs/heads/${branch}`, after: 'f'.repeat(40), repository: { full_name: 'shop/estate' } }));
}

/** POSTs a push event to a controller's /webhook, signed when a signature is given. */
export function postWebhook(url: string, body: Buffer, signature?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'push' };
  if (signature) headers['x-hub-signature-256'] = signature;
  return fetch(`${url}/webhook`, { method: 'POST', headers, body: body.toString() });
}
