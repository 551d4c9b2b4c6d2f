import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

import { repoRoot } from '#stack';

/** How a process exited: its exit code, or the signal that killed it. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A built app started by a test that signals it and checks how it ends. Unlike #stack's startProcess,
 * it neither waits for a ready line nor stops the process: the graceful-stop tests signal an app that
 * may never listen, and the exit that signal brings is what they check.
 */
export interface SignalledApp {
  readonly child: ChildProcess;
  /** How it exited, once its output is closed too, so that `output()` is then all it printed. */
  readonly exited: Promise<Exit>;
  /** What it printed so far, standard output and error as they came. */
  output(): string;
  /** Resolves once its output holds `text`; fails, with the output, if it exits before saying it. */
  said(text: string): Promise<void>;
}

/** Starts `script` (under dist/) of the build with `args`, and `env` on top of this process's. */
export function startSignalledApp(
  name: string,
  script: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): SignalledApp {
  const child = spawn(process.execPath, [resolve(repoRoot(), script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waits = new Set<() => void>();
  const read = (chunk: Buffer) => {
    output += chunk.toString();
    for (const check of waits) check();
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  const exited = new Promise<Exit>((done) => child.once('close', (code, signal) => done({ code, signal })));
  const said = (text: string) =>
    new Promise<void>((seen, failed) => {
      const check = () => {
        if (!output.includes(text)) return;
        waits.delete(check);
        seen();
      };
      waits.add(check);
      check();
      void exited.then(() => failed(new Error(`${name} exited before saying "${text}":\n${output}`)));
    });
  return { child, exited, output: () => output, said };
}
