/**
 * A TCP proxy on 127.0.0.1 for fault injection between a store and its server: it forwards, or
 * black-holes the sockets already open (nothing goes through, nothing is closed) while new ones still
 * work, or black-holes everything, or accepts and at once closes every new connection (a server that is
 * down, with the attempts counted).
 */
import { createServer, type Socket, connect as tcpConnect } from "node:net";

export interface TcpProxy {
  /** The port the proxy listens on. */
  readonly port: number;
  /** Connections accepted so far (every connection attempt a client made). */
  readonly accepted: number;
  /** From now on, the sockets open now carry nothing either way; new connections still work. */
  silenceOpenSockets(): void;
  /** From now on, nothing carries anything, new connections included (they are accepted, then silent). */
  silenceEverything(): void;
  /** From now on, new connections are closed as soon as accepted. */
  refuseNew(): void;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy to `host:port`. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  let mode: "forward" | "silent" | "refuse" = "forward";
  let accepted = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket | null; silent: boolean }>();
  const server = createServer((client) => {
    accepted++;
    if (mode === "refuse") {
      client.destroy();
      return;
    }
    const pair = { client, upstream: null as Socket | null, silent: mode === "silent" };
    pairs.add(pair);
    client.on("error", () => undefined);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on("close", drop);
    if (pair.silent) return; // accepted, never answered
    const upstream = tcpConnect(port, host);
    pair.upstream = upstream;
    upstream.on("error", () => undefined);
    upstream.on("close", drop);
    client.on("data", (data) => {
      if (!pair.silent) upstream.write(data);
    });
    upstream.on("data", (data) => {
      if (!pair.silent) client.write(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no port");
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    silenceOpenSockets() {
      for (const pair of pairs) pair.silent = true;
    },
    silenceEverything() {
      mode = "silent";
      for (const pair of pairs) pair.silent = true;
    },
    refuseNew() {
      mode = "refuse";
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
