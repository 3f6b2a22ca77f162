// A self-signed X.509 certificate built with node:crypto alone, which can parse certificates but not
// make them: the emulator signs SNS messages with an RSA key and serves its certificate as SNS serves
// its signing certificate, and serves its stand-in for SNS over TLS with an EC key (version 3, for
// the subject alternative names a TLS client checks the host against).
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

// The signature algorithm by key type: RSA's takes a NULL parameter, ECDSA's none.
const SIGNATURE_ALGORITHMS: Record<string, Buffer> = {
	rsa: sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])),
	ec: sequence(oid('1.2.840.10045.4.3.2')),
};

// GeneralName: dNSName [2] IA5String, iPAddress [7] OCTET STRING, both implicit.
const dnsName = (name: string) => der(0x82, Buffer.from(name, 'ascii'));
function ipAddress(address: string): Buffer {
	if (address.includes('.')) return der(0x87, Buffer.from(address.split('.').map(Number)));
	const [head, tail = ''] = address.split('::');
	const groups = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
	const [before, after] = [groups(head), groups(tail)];
	const all = [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
	return der(0x87, Buffer.from(all.flatMap((group) => [group >> 8, group & 0xff])));
}

/** The extensions field, [3]: only subjectAltName (2.5.29.17). */
const subjectAltName = ({ dnsNames = [], ipAddresses = [] }: AlternativeNames) =>
	der(0xa3, sequence(sequence(oid('2.5.29.17'), der(0x04, sequence(...dnsNames.map(dnsName), ...ipAddresses.map(ipAddress))))));

const name = (commonName: string) => sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));

// UTCTime, YYMMDDHHMMSSZ: enough until 2049.
const utcTime = (date: Date) => der(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'ascii'));

export interface AlternativeNames {
	dnsNames?: string[];
	ipAddresses?: string[];
}

export interface CertificateOptions {
	commonName: string;
	notBefore: Date;
	notAfter: Date;
	/** Makes it a version 3 certificate with these subject alternative names. */
	alternativeNames?: AlternativeNames;
}

/** The PEM of a certificate for `publicKey` (RSA or EC), signed by `privateKey` (its own pair). */
export function selfSignedCertificate(publicKey: KeyObject, privateKey: KeyObject, { commonName, notBefore, notAfter, alternativeNames }: CertificateOptions): string {
	const algorithm = SIGNATURE_ALGORITHMS[privateKey.asymmetricKeyType!];
	// A positive serial in DER's shortest form: the high bit of its first byte clear, the byte not 0.
	const serial = randomBytes(16);
	serial[0] = serial[0] & 0x7f || 1;
	const tbs = sequence(
		// Version 3 ([0] EXPLICIT INTEGER 2) only with extensions; version 1 is the default.
		...(alternativeNames ? [der(0xa0, der(0x02, Buffer.from([2])))] : []),
		der(0x02, serial),
		algorithm,
		name(commonName),
		sequence(utcTime(notBefore), utcTime(notAfter)),
		name(commonName),
		publicKey.export({ type: 'spki', format: 'der' }),
		...(alternativeNames ? [subjectAltName(alternativeNames)] : []),
	);
	const signature = sign('sha256', tbs, privateKey);
	const certificate = sequence(tbs, algorithm, der(0x03, Buffer.from([0]), signature));
	const lines = certificate.toString('base64').match(/.{1,64}/g)!;
	return ['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----', ''].join('\n');
}
