import pg from 'pg';

/** A connection of its own, LISTENing on one channel. */
export interface ChannelListener {
  end(): Promise<void>;
}

/**
 * Listens on `channel` over a connection of its own (a pooled one would be handed to other
 * queries): `ready` once the LISTEN is in place, `notified` with each notification's payload, and `lost` once
 * when the connection fails or ends on its own; the caller decides whether to listen again.
 * Null when no database is configured.
 */
export function listenTo(channel: string, on: { ready: () => void; notified: (payload: string) => void; lost: () => void }): ChannelListener | null {
  const url = process.env.DATABASE_URL;
  if (!url) return null;
  const client = new pg.Client({ connectionString: url, keepAlive: true });
  let closed = false;
  const lost = () => {
    if (closed) return;
    closed = true;
    client.end().catch(() => {});
    on.lost();
  };
  client.on('error', lost);
  client.on('end', lost);
  client.on('notification', (message) => on.notified(message.payload ?? ''));
  client
    .connect()
    .then(() => client.query(`LISTEN ${channel}`))
    .then(() => {
      if (!closed) on.ready();
    })
    .catch(lost);
  return {
    end() {
      closed = true;
      return client.end();
    },
  };
}
