import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export interface TestProxy {
	/** http://127.0.0.1:port, with user:password@ when the proxy asks for them. */
	url: string;
	/** What reached the proxy: "CONNECT host:port" for tunnels, "POST http://host:port/" for forwarded requests. */
	seen: string[];
	/** The Proxy-Authorization header of each request, as received. */
	authorizations: (string | undefined)[];
	stop(): Promise<void>;
}

export interface TestProxyOptions {
	/** Answer every request and tunnel with this status instead of passing it on. */
	refuse?: number;
	/** Ask for this user name and password (407 without them). */
	login?: { user: string; password: string };
}

/** A forwarding and CONNECT-tunnelling HTTP proxy on loopback that records what passes through it. */
export async function startProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
	const seen: string[] = [];
	const authorizations: (string | undefined)[] = [];
	const expected = options.login && `Basic ${Buffer.from(`${options.login.user}:${options.login.password}`).toString('base64')}`;
	const refusal = (message: IncomingMessage) => {
		seen.push(`${message.method} ${message.url}`);
		authorizations.push(message.headers['proxy-authorization']);
		if (options.refuse) return options.refuse;
		return expected && message.headers['proxy-authorization'] !== expected ? 407 : undefined;
	};

	const server = createServer((incoming, outgoing) => {
		const status = refusal(incoming);
		if (status) return void outgoing.writeHead(status, { 'content-type': 'text/html' }).end('<html>refused by the proxy</html>');
		const target = new URL(incoming.url ?? '');
		const headers = Object.fromEntries(Object.entries(incoming.headers).filter(([name]) => !name.startsWith('proxy-')));
		const forwarded = request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: incoming.method, headers }, (answer) => {
			outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(outgoing);
		});
		forwarded.on('error', () => outgoing.writeHead(502).end());
		incoming.pipe(forwarded);
	});
	server.on('connect', (incoming: IncomingMessage, client: Socket, head: Buffer) => {
		const status = refusal(incoming);
		if (status) return void client.end(`HTTP/1.1 ${status} Refused\r\n${status === 407 ? 'Proxy-Authenticate: Basic\r\n' : ''}Content-Length: 0\r\n\r\n`);
		const [host, port] = splitAuthority(incoming.url ?? '');
		const upstream = connect(port, host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			upstream.write(head);
			upstream.pipe(client).pipe(upstream);
		});
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
	});
	const { port } = await listen(server);
	const login = options.login ? `${encodeURIComponent(options.login.user)}:${encodeURIComponent(options.login.password)}@` : '';
	return { url: `http://${login}127.0.0.1:${port}`, seen, authorizations, stop: () => close(server) };
}

export interface TlsFront {
	/** https://127.0.0.1:port, serving a self-signed certificate for 127.0.0.1. */
	url: string;
	/** The certificate as a PEM file, for NODE_EXTRA_CA_CERTS; removed by stop(). */
	certificateFile: string;
	stop(): Promise<void>;
}

/** An HTTPS front for a plain-HTTP server on loopback (the emulator), with a throwaway self-signed certificate. */
export async function startTlsFront(backendUrl: string): Promise<TlsFront> {
	const backend = new URL(backendUrl);
	const pem = execFileSync(
		'openssl',
		['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', '-', '-out', '-'],
		{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
	);
	const folder = mkdtempSync(join(tmpdir(), 'tls-front-'));
	const certificateFile = join(folder, 'certificate.pem');
	writeFileSync(certificateFile, /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/.exec(pem)![0]);
	const server = createTlsServer({ key: pem, cert: pem }, (client) => {
		const upstream = connect(Number(backend.port), backend.hostname);
		client.pipe(upstream).pipe(client);
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
	});
	const { port } = await listen(server as unknown as Server);
	return {
		url: `https://127.0.0.1:${port}`,
		certificateFile,
		stop: async () => {
			await close(server as unknown as Server);
			rmSync(folder, { recursive: true, force: true });
		},
	};
}

/** A loopback port where nothing listens. */
export async function closedPort(): Promise<number> {
	const server = createServer();
	const { port } = await listen(server);
	await close(server);
	return port;
}

function splitAuthority(authority: string): [string, number] {
	const at = authority.lastIndexOf(':');
	return [authority.slice(0, at).replace(/^\[|\]$/g, ''), Number(authority.slice(at + 1))];
}

async function listen(server: Server): Promise<AddressInfo> {
	const sockets = new Set<Socket>();
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	(server as Server & { sockets?: Set<Socket> }).sockets = sockets;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return server.address() as AddressInfo;
}

async function close(server: Server): Promise<void> {
	(server as Server & { sockets?: Set<Socket> }).sockets?.forEach((socket) => socket.destroy());
	await new Promise<void>((resolve) => server.close(() => resolve()));
}
