/** An error answer in the service's own words: its __type (or STS code), message and HTTP status. */
export class ServiceError extends Error {
	constructor(
		readonly type: string,
		message: string,
		readonly status = 400,
		/** The model constraints behind a ValidationException or SerializationException. */
		readonly validationErrors?: string[],
		/** The exception's other modelled members, answered beside __type and message (reason, resourceType…). */
		readonly members?: Record<string, unknown>,
	) {
		super(message);
	}
}

export const serviceError = (type: string, message: string, status = 400, members?: Record<string, unknown>) =>
	new ServiceError(type, message, status, undefined, members);
