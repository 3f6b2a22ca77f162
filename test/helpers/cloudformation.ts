// Checks a CloudFormation template against AWS's own resource specification (@aws-cdk/aws-service-spec, the
// registry schemas the AWS CDK is generated from): cfn-lint is a Python package, and this project installs from npm.
import { readFileSync } from 'node:fs';

import type { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { YAMLMap, YAMLSeq, parse, type CollectionTag, type ScalarTag } from 'yaml';

export type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;
type PropertyType = { type: string; element?: PropertyType; types?: PropertyType[]; reference?: { $ref: string }; allowedValues?: string[] };
type Properties = Record<string, { type: PropertyType; required?: boolean }>;

/** An intrinsic function, as !Ref X or { Ref: X } writes it. */
interface Intrinsic {
	fn: string;
	arg: unknown;
}

const INTRINSICS = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Base64', 'GetAZs', 'ImportValue', 'Cidr'];

// The short forms (!Ref, !GetAtt A.B, !Sub ...) read as the long forms.
const TAGS: Array<ScalarTag | CollectionTag> = INTRINSICS.flatMap((fn) => {
	const key = fn === 'Ref' ? 'Ref' : `Fn::${fn}`;
	const wrap = (arg: unknown) => ({ [key]: fn === 'GetAtt' && typeof arg === 'string' ? arg.split('.') : arg });
	return [
		{ tag: `!${fn}`, resolve: (value: string) => wrap(value), identify: () => false } as ScalarTag,
		{ tag: `!${fn}`, collection: 'seq', nodeClass: YAMLSeq, resolve: (seq: YAMLSeq) => wrap(seq.toJSON()), identify: () => false } as CollectionTag,
		{ tag: `!${fn}`, collection: 'map', nodeClass: YAMLMap, resolve: (map: YAMLMap) => wrap(map.toJSON()), identify: () => false } as CollectionTag,
	];
});

export function readTemplate(path: string): Template {
	return parse(readFileSync(path, 'utf8'), { customTags: TAGS }) as Template;
}

export interface Template {
	Parameters?: Record<string, { Type: string }>;
	Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
	Outputs?: Record<string, { Value: unknown }>;
}

function intrinsic(value: unknown): Intrinsic | undefined {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
	const keys = Object.keys(value);
	if (keys.length !== 1) return undefined;
	const [key] = keys;
	if (key === 'Ref' || (key.startsWith('Fn::') && INTRINSICS.includes(key.slice(4)))) return { fn: key.replace('Fn::', ''), arg: (value as Record<string, unknown>)[key] };
	return undefined;
}

/** Every error of the template: resource types, property names and types, required properties, Ref and GetAtt targets. */
export function templateErrors(template: Template, db: SpecDatabase): string[] {
	const errors: string[] = [];
	const resources = template.Resources ?? {};
	const parameters = template.Parameters ?? {};
	const specOf = (type: string) => db.lookup('resource', 'cloudFormationType', 'equals', type);

	function checkIntrinsic(call: Intrinsic, at: string): void {
		if (call.fn === 'Ref') {
			const name = String(call.arg);
			if (!(name in resources) && !(name in parameters) && !name.startsWith('AWS::')) errors.push(`${at}: Ref to ${name}, which is neither a parameter nor a resource`);
		} else if (call.fn === 'GetAtt') {
			const [name, attribute] = call.arg as string[];
			const resource = resources[name];
			const spec = resource ? specOf(resource.Type) : undefined;
			if (!resource) errors.push(`${at}: GetAtt of ${name}, which is not a resource`);
			else if (spec?.length === 1 && !(attribute in (spec.only().attributes ?? {}))) errors.push(`${at}: ${resource.Type} has no attribute ${attribute}`);
		}
	}

	function checkValue(value: unknown, type: PropertyType, at: string): void {
		const call = intrinsic(value);
		if (call) return checkIntrinsic(call, at);
		switch (type.type) {
			case 'string':
			case 'date-time':
				if (typeof value !== 'string') errors.push(`${at}: a string is expected, not ${JSON.stringify(value)}`);
				else if (type.allowedValues && !type.allowedValues.includes(value)) errors.push(`${at}: ${value} is not one of ${type.allowedValues.join(', ')}`);
				return;
			case 'integer':
			case 'number':
				if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) errors.push(`${at}: a number is expected`);
				return;
			case 'boolean':
				if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') errors.push(`${at}: true or false is expected`);
				return;
			case 'array':
				if (!Array.isArray(value)) errors.push(`${at}: a list is expected`);
				else value.forEach((element, index) => checkValue(element, type.element!, `${at}[${index}]`));
				return;
			case 'map':
				if (!value || typeof value !== 'object') errors.push(`${at}: a map is expected`);
				else for (const [key, element] of Object.entries(value)) checkValue(element, type.element!, `${at}.${key}`);
				return;
			case 'ref':
				return checkProperties(value, (db.get('typeDefinition', type.reference!.$ref) as { properties: Properties }).properties, at);
			case 'union':
				// Accepted when any member accepts it.
				for (const member of type.types!) {
					const before = errors.length;
					checkValue(value, member, at);
					if (errors.length === before) return;
					errors.length = before;
				}
				errors.push(`${at}: matches none of its allowed shapes`);
				return;
			default:
				// json and tag: any object.
				return;
		}
	}

	function checkProperties(value: unknown, properties: Properties, at: string): void {
		if (!value || typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${at}: an object is expected`);
		for (const [name, property] of Object.entries(value)) {
			if (!(name in properties)) errors.push(`${at}: no property ${name}`);
			else checkValue(property, properties[name].type, `${at}.${name}`);
		}
		for (const [name, property] of Object.entries(properties)) if (property.required && !(name in value)) errors.push(`${at}: ${name} is required`);
	}

	for (const [name, resource] of Object.entries(resources)) {
		const spec = specOf(resource.Type);
		if (spec.length !== 1) {
			errors.push(`${name}: no resource type ${resource.Type}`);
			continue;
		}
		checkProperties(resource.Properties ?? {}, spec.only().properties as Properties, name);
	}
	return errors;
}
