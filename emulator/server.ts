// The HTTP front end: routes awsJson metering, entitlement and agreement calls, awsQuery STS calls and the unsigned admin endpoints,
// authenticates, injects faults, logs every request and counts outcomes.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { AgreementService } from './agreements';
import { CredentialStore, DEFAULT_TEST_CREDENTIAL } from './credentials';
import { EntitlementService } from './entitlements';
import { ServiceError } from './errors';
import { FaultInjector } from './faults';
import { LICENSE_ARN_SPELLINGS } from './licenseArns';
import { Lifecycle } from './lifecycle';
import { MeteringService } from './metering';
import { SnsHost } from './snsHost';
import { claimedAccessKeyId, header, type IncomingSignedRequest } from './sigv4';
import { StsService, stsError } from './sts';
import type { Emulator, EmulatorFaults, EmulatorOptions, EmulatorStats, MeteredQuantityFilter, RequestLogEntry } from './types';
import { UsageSigner } from './usageSigner';
import { AGREEMENT_OPERATIONS, validateRequest } from './validation';

const TARGET_PREFIX = 'AWSMPMeteringService.';
const OPERATIONS = new Set(['BatchMeterUsage', 'MeterUsage', 'RegisterUsage', 'ResolveCustomer']);
const ENTITLEMENT_TARGET = 'AWSMPEntitlementService.GetEntitlements';
/** The Entitlement Service's only Region: its requests are signed for it whatever the emulator's `region`. */
const ENTITLEMENT_REGION = 'us-east-1';
const AGREEMENT_TARGET_PREFIX = 'AWSMPCommerceService_v20200301.';
/** The Agreement Service's Region, as the Entitlement Service's. */
const AGREEMENT_REGION = 'us-east-1';
/** "BatchMeterUsage requests must be less than 1MB in size"; the same limit guards the other operations. */
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = 'application/x-amz-json-1.1';
/** The Agreement Service speaks awsJson 1.0. */
const JSON_1_0_TYPE = 'application/x-amz-json-1.0';

type Service = 'metering' | 'entitlement' | 'agreement';

/** The service and operation an X-Amz-Target names, known or not; undefined for none of the three services. */
function routeOf(target: string | undefined): { service: Service; operation: string } | undefined {
	if (target === ENTITLEMENT_TARGET) return { service: 'entitlement', operation: 'GetEntitlements' };
	if (target?.startsWith(TARGET_PREFIX)) return { service: 'metering', operation: target.slice(TARGET_PREFIX.length) };
	if (target?.startsWith(AGREEMENT_TARGET_PREFIX)) return { service: 'agreement', operation: target.slice(AGREEMENT_TARGET_PREFIX.length) };
	return undefined;
}

const served = (route: { service: Service; operation: string }) =>
	route.service === 'entitlement' || (route.service === 'metering' ? OPERATIONS.has(route.operation) : AGREEMENT_OPERATIONS.has(route.operation));

interface Reply {
	status: number;
	contentType: string;
	body: string;
}

const jsonError = (error: ServiceError, contentType = JSON_TYPE): Reply => ({
	status: error.status,
	contentType,
	body: JSON.stringify({ __type: error.type, message: error.message, ...error.members }),
});

async function readBody(request: IncomingMessage, limit: number): Promise<{ body: Buffer; size: number }> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request as AsyncIterable<Buffer>) {
		size += chunk.length;
		// Past the limit the rest is drained, not kept.
		if (size <= limit) chunks.push(chunk);
	}
	return { body: Buffer.concat(chunks), size };
}

const parseJson = (body: Buffer): unknown => {
	try {
		return body.length ? JSON.parse(body.toString('utf8')) : {};
	} catch {
		return undefined;
	}
};

/** The operations `disabledOperations` names; a name that is not a metering operation is a configuration error. */
function disabledOperationsOption(names: string[] = []): Set<string> {
	const unknown = names.filter((name) => !OPERATIONS.has(name));
	if (unknown.length) throw new Error(`disabledOperations: ${unknown.join(', ')} is not one of ${[...OPERATIONS].join(', ')}`);
	return new Set(names);
}

function identicalResendOption(value: EmulatorOptions['identicalResend']): EmulatorOptions['identicalResend'] {
	if (value !== undefined && value !== 'success' && value !== 'duplicateRecord') {
		throw new Error(`identicalResend must be 'success' or 'duplicateRecord', not ${JSON.stringify(value)}`);
	}
	return value ?? 'success';
}

function licenseArnSpellingOption(value: EmulatorOptions['licenseArnSpelling']): EmulatorOptions['licenseArnSpelling'] {
	if (value !== undefined && !LICENSE_ARN_SPELLINGS.includes(value)) {
		throw new Error(`licenseArnSpelling must be 'license:' or 'license/', not ${JSON.stringify(value)}`);
	}
	return value;
}

function exactLicenseArnOption(value: EmulatorOptions['exactLicenseArn']): boolean {
	if (value !== undefined && typeof value !== 'boolean') throw new Error(`exactLicenseArn must be true or false, not ${JSON.stringify(value)}`);
	return value ?? true;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const host = options.host ?? '127.0.0.1';
	const region = options.region ?? 'us-east-1';
	const now = options.now ?? (() => new Date());
	const maxBodyBytes = options.maxRequestBytes ?? MAX_BODY_BYTES;
	const usageSigner = await UsageSigner.create(options.privateKeyPem, options.signatureClaims);
	const credentials = new CredentialStore(options.credentials ?? [DEFAULT_TEST_CREDENTIAL]);
	const faults = new FaultInjector(options.faults ?? {}, options.seed ?? 1);
	const disabledOperations = disabledOperationsOption(options.disabledOperations);
	const metering = new MeteringService(
		{
			products: options.products,
			customers: options.customers,
			registrationTokens: options.registrationTokens,
			batchWindowHours: options.batchWindowHours ?? 24,
			identicalResend: identicalResendOption(options.identicalResend),
			licenseArnSpelling: licenseArnSpellingOption(options.licenseArnSpelling),
			exactLicenseArn: exactLicenseArnOption(options.exactLicenseArn),
			meterUsageWindowHours: options.meterUsageWindowHours ?? 6,
		},
		faults,
		usageSigner,
	);
	const entitlements = new EntitlementService(options.entitlements, options.products && new Set(options.products.map((product) => product.productCode)));
	const agreements = new AgreementService(options.agreements, options.products);
	const sts = new StsService(credentials);
	const log: RequestLogEntry[] = [];
	let counts: Record<string, Record<string, number>> = {};
	const sockets = new Set<Socket>();
	// Numbered in order of arrival, so that the log tells which requests shared a keep-alive connection.
	const connections = new WeakMap<Socket, number>();
	let connectionsAccepted = 0;
	const timers = new Set<NodeJS.Timeout>();

	const count = (entry: RequestLogEntry, outcome: string) => {
		const byOutcome = (counts[entry.operation] ??= {});
		byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
	};

	const later = (delayMs: number, action: () => void) => {
		if (!(delayMs > 0)) return action();
		const timer = setTimeout(() => {
			timers.delete(timer);
			action();
		}, delayMs);
		timers.add(timer);
	};

	const send = (response: ServerResponse, reply: Reply, requestId?: string) => {
		response.writeHead(reply.status, {
			'content-type': reply.contentType,
			'content-length': Buffer.byteLength(reply.body),
			// Clients correct their clock skew against it.
			date: new Date().toUTCString(),
			...(requestId ? { 'x-amzn-requestid': requestId } : {}),
		});
		response.end(reply.body);
	};

	const answer = (entry: RequestLogEntry, response: ServerResponse, reply: Reply, requestId: string, errorType?: string, delayMs = 0) => {
		entry.httpStatus = reply.status;
		if (errorType) entry.errorType = errorType;
		count(entry, errorType ?? String(reply.status));
		later(delayMs, () => send(response, reply, requestId));
	};

	const signedRequest = (request: IncomingMessage, url: URL, body: Buffer): IncomingSignedRequest => {
		const query: Record<string, string | string[]> = {};
		for (const key of new Set(url.searchParams.keys())) {
			const values = url.searchParams.getAll(key);
			query[key] = values.length === 1 ? values[0] : values;
		}
		return { method: request.method ?? 'POST', path: url.pathname, query, headers: request.headers, body };
	};

	const handleJson = async (request: IncomingMessage, response: ServerResponse, entry: RequestLogEntry, url: URL, body: Buffer, service: Service) => {
		const requestId = randomUUID();
		const operation = entry.operation;
		const contentType = service === 'agreement' ? JSON_1_0_TYPE : JSON_TYPE;
		// The Agreement Service's name for it; the Metering and Entitlement Services' InternalServiceErrorException.
		const internalError = service === 'agreement' ? 'InternalServerException' : 'InternalServiceErrorException';
		if (faults.faults.hang) {
			// Accepted, never answered: the client's timeout (or stop()) ends it.
			entry.errorType = 'Hung';
			count(entry, 'Hung');
			return;
		}
		const drop = faults.drawDrop();
		const latency = faults.faults.latencyMs ?? 0;
		const parsed = parseJson(body);
		entry.body = parsed;
		const records = (parsed as { UsageRecords?: unknown } | undefined)?.UsageRecords;
		if (operation === 'BatchMeterUsage' && Array.isArray(records)) entry.records = records.length;
		try {
			const signingRegion = { metering: region, entitlement: ENTITLEMENT_REGION, agreement: AGREEMENT_REGION }[service];
			const caller = await credentials.authenticate(signedRequest(request, url, body), 'aws-marketplace', signingRegion, now());
			entry.accessKeyId = caller.accessKeyId;
			credentials.authorize(caller, `aws-marketplace:${operation}`);
			if (service === 'metering' && disabledOperations.has(operation)) throw new ServiceError('DisabledApiException', 'The API is disabled in the Region.');
			// DryRun checks permissions only: answered before faults, model validation and the operation's checks.
			if (operation === 'MeterUsage' && (parsed as { DryRun?: unknown } | undefined)?.DryRun === true) {
				throw new ServiceError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
			}
			faults.admit(operation, internalError);
			if (parsed === undefined) throw new ServiceError('SerializationException', 'The request body is not valid JSON.', 400, ['The request body is not valid JSON']);
			validateRequest(operation, parsed);
			const result =
				service === 'entitlement'
					? { body: entitlements.getEntitlements(parsed) }
					: service === 'agreement'
						? { body: agreements.handle(operation, parsed, caller, now()) }
						: metering.handle(operation, parsed, caller, now());
			if (result.unprocessed !== undefined) entry.unprocessed = result.unprocessed;
			if (drop) {
				// Processed, but the answer is lost with the connection.
				entry.errorType = 'Dropped';
				count(entry, 'Dropped');
				later(latency, () => request.socket.destroy());
				return;
			}
			answer(entry, response, { status: 200, contentType, body: JSON.stringify(result.body) }, requestId, undefined, latency);
		} catch (error) {
			const failure = error instanceof ServiceError ? error : new ServiceError(internalError, `The emulator failed: ${(error as Error).message}`, 500);
			if (failure.validationErrors) entry.validationErrors = failure.validationErrors;
			answer(entry, response, jsonError(failure, contentType), requestId, failure.type, latency);
		}
	};

	const handleSts = async (request: IncomingMessage, response: ServerResponse, entry: RequestLogEntry, url: URL, body: Buffer, form: URLSearchParams) => {
		const requestId = randomUUID();
		entry.body = Object.fromEntries(form);
		try {
			const caller = await credentials.authenticate(signedRequest(request, url, body), 'sts', region, now());
			entry.accessKeyId = caller.accessKeyId;
			const xml = sts.handle(entry.operation, form, caller, now(), requestId);
			answer(entry, response, { status: 200, contentType: 'text/xml', body: xml }, requestId);
		} catch (error) {
			const failure = error instanceof ServiceError ? error : new ServiceError('InternalFailure', `The emulator failed: ${(error as Error).message}`, 500);
			if (failure.validationErrors) entry.validationErrors = failure.validationErrors;
			const { code, status, xml } = stsError(failure, requestId);
			answer(entry, response, { status, contentType: 'text/xml', body: xml }, requestId, code);
		}
	};

	const stats = (): EmulatorStats => {
		const billed = [...metering.billed.entries()];
		return {
			requests: JSON.parse(JSON.stringify(counts)) as EmulatorStats['requests'],
			billed: Object.fromEntries(billed.map(([key, entry]) => [key, { ...entry.usage }])),
			meteredQuantity: (filter: MeteredQuantityFilter = {}) =>
				billed
					.filter(([, entry]) => (['product', 'customer', 'dimension'] as const).every((part) => filter[part] === undefined || filter[part] === entry[part]))
					.reduce((sum, [, entry]) => sum + entry.usage.quantity, 0),
		};
	};

	const reset = () => {
		log.length = 0;
		counts = {};
		metering.reset();
		agreements.reset();
		lifecycle.reset();
		faults.reset();
	};

	const setFaults = (next: EmulatorFaults) => {
		faults.faults = { ...next };
	};

	const handleAdmin = (request: IncomingMessage, response: ServerResponse, path: string, body: Buffer) => {
		const route = `${request.method} ${path}`;
		const json = (status: number, value: unknown) => send(response, { status, contentType: 'application/json', body: JSON.stringify(value) });
		switch (route) {
			case 'GET /_emulator/log':
				return json(200, log);
			case 'GET /_emulator/stats':
				return json(200, stats());
			case 'GET /_emulator/public-key':
				return send(response, { status: 200, contentType: 'application/x-pem-file', body: usageSigner.publicKeyPem });
			case 'POST /_emulator/reset':
				reset();
				return send(response, { status: 204, contentType: 'application/json', body: '' });
			case 'POST /_emulator/faults': {
				const next = parseJson(body);
				if (typeof next !== 'object' || next === null || Array.isArray(next)) return json(400, { message: 'The body must be a JSON object of faults' });
				setFaults(next as EmulatorFaults);
				return json(200, faults.faults);
			}
			default:
				return json(404, { message: `No admin endpoint ${route}` });
		}
	};

	const handle = async (request: IncomingMessage, response: ServerResponse) => {
		const url = new URL(request.url ?? '/', 'http://emulator');
		const { body, size } = await readBody(request, maxBodyBytes);
		if (lifecycle.handles(url.pathname)) return send(response, await lifecycle.handle(request, url, body));
		if (url.pathname.startsWith('/_emulator/')) return handleAdmin(request, response, url.pathname, body);

		const target = header(request.headers, 'x-amz-target');
		const contentType = header(request.headers, 'content-type') ?? '';
		const form = !target && contentType.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body.toString('utf8')) : undefined;
		const route = routeOf(target);
		const entry: RequestLogEntry = {
			time: now().toISOString(),
			operation: route?.operation ?? form?.get('Action') ?? 'Unknown',
			httpStatus: 0,
			accessKeyId: claimedAccessKeyId(request.headers),
			sessionToken: header(request.headers, 'x-amz-security-token') !== undefined,
			connection: connections.get(request.socket) ?? 0,
		};
		log.push(entry);

		if (size > maxBodyBytes) {
			const message = `The request body of ${size} bytes exceeds the limit of ${maxBodyBytes} bytes.`;
			entry.validationErrors = [message];
			return answer(entry, response, jsonError(new ServiceError('RequestEntityTooLargeException', message, 413)), randomUUID(), 'RequestEntityTooLargeException');
		}
		if (form) return handleSts(request, response, entry, url, body, form);
		if (request.method !== 'POST' || !route || !served(route)) {
			const unknown = new ServiceError('UnknownOperationException', `Unknown operation: ${request.method} ${url.pathname} ${target ?? '(no X-Amz-Target)'}`);
			return answer(entry, response, jsonError(unknown), randomUUID(), unknown.type);
		}
		return handleJson(request, response, entry, url, body, route.service);
	};

	// Started once the options are known to be good: a failed start leaves nothing listening.
	const sns = await SnsHost.start(options.snsPort);
	const lifecycle = new Lifecycle(sns);
	const server = createServer((request, response) => {
		handle(request, response).catch((error: Error) => {
			if (!response.headersSent) send(response, jsonError(new ServiceError('InternalServiceErrorException', `The emulator failed: ${error.message}`, 500)));
		});
	});
	// Longer than the SDK keeps idle sockets, so a reused keep-alive connection is not closed under it.
	server.keepAliveTimeout = 30_000;
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		connections.set(socket, ++connectionsAccepted);
		socket.once('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	}).catch(async (error: Error) => {
		// Its SNS listens already: nothing may keep the process alive after a failed start.
		await sns.stop();
		throw error;
	});
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
		port,
		region,
		publicKeyPem: usageSigner.publicKeyPem,
		snsOrigin: sns.origin,
		snsTlsCertificatePem: sns.tlsCertificatePem,
		log,
		stats,
		setFaults,
		reset,
		expireSessionToken: (accessKeyId) => credentials.expire(accessKeyId),
		stop: async () => {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			await Promise.all([closed, sns.stop()]);
		},
	};
}
