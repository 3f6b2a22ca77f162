// A self-signed X.509 certificate (version 1, sha256WithRSAEncryption) built with node:crypto alone,
// which can parse certificates but not make them: the emulator signs SNS messages with its key and
// serves it as SNS serves its signing certificate.
import { randomBytes, sign, type KeyObject } from 'node:crypto';

function length(size: number): Buffer {
	if (size < 0x80) return Buffer.from([size]);
	const bytes: number[] = [];
	for (let rest = size; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
	return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const der = (tag: number, ...content: Buffer[]) => {
	const body = Buffer.concat(content);
	return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const sequence = (...content: Buffer[]) => der(0x30, ...content);

function oid(dotted: string): Buffer {
	const [first, second, ...rest] = dotted.split('.').map(Number);
	const bytes = [first * 40 + second];
	for (const arc of rest) {
		const base128 = [arc & 0x7f];
		for (let value = arc >> 7; value > 0; value >>= 7) base128.unshift(0x80 | (value & 0x7f));
		bytes.push(...base128);
	}
	return der(0x06, Buffer.from(bytes));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

const name = (commonName: string) => sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));

// UTCTime, YYMMDDHHMMSSZ: enough until 2049.
const utcTime = (date: Date) => der(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'ascii'));

export interface CertificateOptions {
	commonName: string;
	notBefore: Date;
	notAfter: Date;
}

/** The PEM of a certificate for `publicKey`, signed by `privateKey` (its own pair). */
export function selfSignedCertificate(publicKey: KeyObject, privateKey: KeyObject, { commonName, notBefore, notAfter }: CertificateOptions): string {
	// A positive serial: the high bit of its first byte clear.
	const serial = randomBytes(16);
	serial[0] &= 0x7f;
	const tbs = sequence(
		der(0x02, serial),
		SHA256_WITH_RSA,
		name(commonName),
		sequence(utcTime(notBefore), utcTime(notAfter)),
		name(commonName),
		publicKey.export({ type: 'spki', format: 'der' }),
	);
	const signature = sign('sha256', tbs, privateKey);
	const certificate = sequence(tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), signature));
	const lines = certificate.toString('base64').match(/.{1,64}/g)!;
	return ['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----', ''].join('\n');
}
