// Starts a real w2vd on a loopback ephemeral port (--port 0; the port is read from its
// "listening on" log line) with a data directory, and stops it.

import { spawn } from 'node:child_process';

export async function startW2vd(binary, dataDir, extraArgs = []) {
  const args = ['--bind', '127.0.0.1', '--port', '0', '--data-dir', dataDir,
    '--train-threads', '1', ...extraArgs];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`w2vd did not start in 30 s; log:\n${log}`)), 30000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = /listening on http:\/\/[0-9.]+:([0-9]+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`w2vd exited (${code}) before listening; log:\n${log}`));
    });
  });
  // The start-up listeners above stay attached and go on collecting the log.
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      await exited;
      clearTimeout(timer);
    },
  };
}
