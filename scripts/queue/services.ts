// The services n8n's queue mode stands on, as throwaway local processes: PostgreSQL (test/helpers/postgres.ts)
// and Redis, both from Debian's packages (installed when missing), both as unprivileged users, on loopback only,
// with their data in temporary folders that are removed when they stop.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT } from '../e2e/lib/paths';
import { freePort, runChecked, start, stop, tail, waitFor } from '../e2e/lib/proc';

const REDIS_INSTALL = join(ROOT, 'scripts', 'queue', 'install-redis.sh');

const isRoot = () => process.getuid?.() === 0;

/** The user a process runs as, from /proc: proof that a server is not root. */
export function processUser(pid: number): string | undefined {
	try {
		const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
		const line = readFileSync('/etc/passwd', 'utf8')
			.split('\n')
			.find((entry) => entry.split(':')[2] === String(uid));
		return line?.split(':')[0] ?? String(uid);
	} catch {
		return undefined;
	}
}

/** Whether a process is alive: a zombie (exited, not yet reaped by its parent) is not. */
export function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	try {
		// The state follows the command name, which is in parentheses.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

export { startPostgres, type Postgres } from '../../test/helpers/postgres';

export interface Redis {
	host: string;
	port: number;
	pid: number;
	/** Its data folder, removed when it stops. */
	folder: string;
	/** Everything it printed so far. */
	output(): string;
	stop(): Promise<void>;
}

/** Sends one inline command and returns the first line of the answer. */
async function redisCommand(port: number, command: string): Promise<string> {
	return await new Promise((resolve, reject) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		socket.setTimeout(2000, () => socket.destroy(new Error('no answer')));
		socket.on('connect', () => socket.write(`${command}\r\n`));
		socket.on('data', (chunk) => {
			answer += chunk;
			if (answer.includes('\r\n')) {
				socket.end();
				resolve(answer.split('\r\n')[0]);
			}
		});
		socket.on('error', reject);
	});
}

/**
 * A throwaway Redis (Debian's `redis-server`, installed when missing): in the foreground as the `redis` user
 * the package creates (when we are root), no persistence, data folder removed when it stops.
 */
export async function startRedis(): Promise<Redis> {
	await runChecked('bash', [REDIS_INSTALL], { cwd: ROOT, timeoutMs: 10 * 60_000 });
	const folder = mkdtempSync(join(tmpdir(), 'n8n-queue-redis-'));
	// redis-server runs as root without complaint, but nothing here needs root: as root, run it as a user of its own.
	let asUser: string[] = [];
	if (isRoot()) {
		const user = ['redis', 'postgres', 'nobody'].find((name) => {
			try {
				execFileSync('id', ['-u', name], { stdio: 'ignore' });
				return true;
			} catch {
				return false;
			}
		})!;
		const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, user]).toString().trim()));
		chownSync(folder, uid, gid);
		asUser = ['runuser', '-u', user, '--'];
	}
	for (let attempt = 1; ; attempt++) {
		const port = await freePort();
		const command = [
			...asUser,
			'redis-server',
			'--bind', '127.0.0.1',
			'--port', String(port),
			'--dir', folder,
			'--save', '',
			'--appendonly', 'no',
			'--protected-mode', 'yes',
			'--daemonize', 'no',
			'--logfile', '',
		];
		const child = start(command[0], command.slice(1), { cwd: folder, env: process.env });
		let output = '';
		child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
		const stopRedis = async () => {
			await stop(child);
			rmSync(folder, { recursive: true, force: true });
		};
		try {
			const state = await waitFor('Redis did not answer PING', 30_000, async () => {
				if (child.exitCode !== null || child.signalCode !== null) return 'exited';
				return (await redisCommand(port, 'PING')) === '+PONG' ? 'ready' : undefined;
			});
			if (state === 'exited') throw new Error(`redis-server exited with ${child.exitCode ?? child.signalCode}`);
		} catch (error) {
			await stop(child);
			if (attempt < 5 && /Address already in use/.test(output)) continue;
			rmSync(folder, { recursive: true, force: true });
			throw new Error(`${(error as Error).message}\n${tail(output)}`);
		}
		// The server itself, not runuser: the process listening on the port.
		const serverPid = Number(/^process_id:(\d+)/m.exec(await redisInfo(port))?.[1] ?? child.pid);
		return { host: '127.0.0.1', port, pid: serverPid, folder, output: () => output, stop: stopRedis };
	}
}

/** `INFO server`, whole (a bulk string answer). */
async function redisInfo(port: number): Promise<string> {
	return await new Promise((resolve, reject) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		socket.setTimeout(2000, () => socket.destroy(new Error('no answer')));
		socket.on('connect', () => socket.write('INFO server\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk;
			const length = Number(/^\$(\d+)\r\n/.exec(answer)?.[1]);
			if (Number.isFinite(length) && Buffer.byteLength(answer) >= length + String(length).length + 5) {
				socket.end();
				resolve(answer);
			}
		});
		socket.on('error', reject);
	});
}
