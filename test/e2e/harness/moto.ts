/**
 * A moto server on 127.0.0.1 for one test file: spawned in its own process group on a
 * port the kernel picks (`-p 0`, read back from moto's log, so that test files starting
 * moto at the same time in parallel jest workers can never get the same port), waited for,
 * and always stopped (stop() in afterAll, plus exit/signal handlers so that a crashed or
 * interrupted jest does not leave it running).
 */
import { ChildProcess, spawn } from 'child_process';
import { createServer } from 'net';
import { openSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

export interface MotoServer {
  readonly port: number;
  readonly endpoint: string;
  /** Environment that points the AWS provider at this server, as a user would. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) {
    return;
  }
  handlersInstalled = true;
  process.on('exit', () => running.forEach((child) => killGroup(child, 'SIGKILL')));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      running.forEach((child) => killGroup(child, 'SIGKILL'));
      process.exit(130);
    });
  }
}

/**
 * A port that was free a moment ago. Not for a server started later by another process:
 * two parallel callers can be given the same port (startMoto lets moto bind port 0).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** The port moto's log says it listens on (werkzeug: " * Running on http://127.0.0.1:<port>"), if it got that far. */
function loggedPort(logFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

export async function startMoto(logDir: string): Promise<MotoServer> {
  const bin = process.env.MOTO_BIN;
  if (!bin) {
    throw new Error(
      'MOTO_BIN is not set: run the e2e tests with "npm run test:e2e" (scripts/e2e.sh loads the toolchain).',
    );
  }
  installExitHandlers();
  // one log per server, in the test file's own folder
  const logFile = join(logDir, `moto-${process.pid}-${Date.now()}.log`);
  const log = openSync(logFile, 'a');
  // moto_server's own python, running harness/moto-server.py: moto with the answers to a
  // repeated request corrected to AWS's (see that file)
  const python = join(dirname(bin), 'python');
  const child = spawn(python, [join(__dirname, 'moto-server.py'), '-H', '127.0.0.1', '-p', '0'], {
    detached: true, // own process group, killed as a whole
    stdio: ['ignore', log, log],
    // moto does not load AWS managed policies (AmazonSSMManagedInstanceCore) unless asked
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  running.add(child);
  const deadline = Date.now() + 60_000;
  let port: number | undefined;
  while (port === undefined || !(await answers(`http://127.0.0.1:${port}`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      running.delete(child);
      throw new Error(
        `moto server did not start${port === undefined ? '' : ` answering on port ${port}`} (see ${logFile})`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
    port ??= loggedPort(logFile);
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    port,
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stop: async () => {
      running.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Calls moto's EC2-style query API (moto does not check signatures). */
export async function awsQuery(endpoint: string, service: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams(params).toString();
  const response = await fetch(endpoint + '/', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${service} ${params.Action}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
  return text;
}

/** Names of the auto scaling groups moto holds. */
export async function motoAsgNames(endpoint: string): Promise<string[]> {
  const xml = await awsQuery(endpoint, 'autoscaling', { Action: 'DescribeAutoScalingGroups', Version: '2011-01-01' });
  return [...xml.matchAll(/<AutoScalingGroupName>([^<]+)<\/AutoScalingGroupName>/g)].map((m) => m[1]).sort();
}

/** Ids of AMIs moto ships (owned by amazon), usable in release files; fails unless there are at least `atLeast`. */
export async function motoAmiIds(endpoint: string, atLeast: number): Promise<string[]> {
  const xml = await awsQuery(endpoint, 'ec2', { Action: 'DescribeImages', Version: '2016-11-15', 'Owner.1': 'amazon' });
  const ids = [...new Set([...xml.matchAll(/<imageId>(ami-[0-9a-f]+)<\/imageId>/g)].map((m) => m[1]))]
    .filter((id) => /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id))
    .sort();
  if (ids.length < atLeast) {
    throw new Error(
      `moto serves ${ids.length} AMIs owned by amazon with a valid id; the test needs at least ${atLeast}.`,
    );
  }
  return ids;
}

/**
 * Writes an SSM parameter through moto's JSON API, as an image pipeline's distribution
 * publishes each build's AMI id. `dataType` 'aws:ec2:image' makes SSM check that the value
 * is an AMI id, as the distribution's parameter does.
 */
export async function motoPutParameter(
  endpoint: string,
  name: string,
  value: string,
  dataType?: 'text' | 'aws:ec2:image',
): Promise<void> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.PutParameter',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/ssm/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({
      Name: name,
      Value: value,
      Type: 'String',
      Overwrite: true,
      ...(dataType ? { DataType: dataType } : {}),
    }),
  });
  if (!response.ok) {
    throw new Error(`ssm PutParameter ${name}: HTTP ${response.status}: ${(await response.text()).slice(0, 500)}`);
  }
}
