/**
 * The peers (Emmett's packages) live in folders of their own under bench/peers/, each with its pinned
 * package.json and lock file, installed on first use so that the library's own dependencies stay free
 * of them.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** bench/peers/ */
export const PEERS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "peers");

/** A peer folder and how npm must install it. */
export interface PeerFolder {
  readonly folder: string;
  readonly legacyPeerDeps: boolean;
}

/** Emmett 0.42.0 with its in-memory and PostgreSQL stores. */
export const EMMETT: PeerFolder = Object.freeze({ folder: "emmett", legacyPeerDeps: false });

/** Emmett's SQLite store 0.42.4 on Emmett 0.42.0 (its declared peer 0.42.4 is not published). */
export const EMMETT_SQLITE: PeerFolder = Object.freeze({ folder: "emmett-sqlite", legacyPeerDeps: true });

/**
 * Installs the peer folder if its node_modules is missing (`npm ci` from its lock file, else
 * `npm install`), saying what it does.
 *
 * @example
 * ```ts
 * ensurePeer(EMMETT);
 * ```
 */
export function ensurePeer(peer: PeerFolder): void {
  const folder = join(PEERS_DIR, peer.folder);
  if (existsSync(join(folder, "node_modules"))) return;
  const command = existsSync(join(folder, "package-lock.json")) ? "ci" : "install";
  const args = [command, "--prefix", folder, "--no-audit", "--no-fund"];
  if (peer.legacyPeerDeps) args.push("--legacy-peer-deps");
  console.log(`Installing the peer in bench/peers/${peer.folder} (first run only): npm ${args.join(" ")}`);
  execFileSync("npm", args, { stdio: "inherit", cwd: folder });
}

/**
 * Imports a package installed in a peer folder. The result is untyped on purpose: the library's type
 * check must not depend on a folder that is installed on demand; callers state the subset they use.
 *
 * @example
 * ```ts
 * const emmett = (await importPeer(EMMETT, "@event-driven-io/emmett")) as EmmettCore;
 * ```
 */
export async function importPeer(peer: PeerFolder, packageName: string): Promise<unknown> {
  ensurePeer(peer);
  const entry = join(PEERS_DIR, peer.folder, "node_modules", packageName, "dist", "index.js");
  return import(pathToFileURL(entry).href);
}
