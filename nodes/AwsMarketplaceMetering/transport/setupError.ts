/** A setting of the credential or of the n8n host that keeps the node from sending any request. */
export class TransportSetupError extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'TransportSetupError';
	}
}
