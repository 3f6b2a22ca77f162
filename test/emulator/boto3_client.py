"""Calls the emulator with boto3, a client nobody on this project wrote, and prints what boto3 made of each answer.

Reads EMULATOR_URL, EMULATOR_REGION, the key pairs in EMULATOR_KEYS (JSON) from the environment; prints one JSON
object: observation name -> {"result": ...} or {"exception": class name, "code", "http", "modelled", "message"}.
The jest test (boto3.test.ts) asserts on it.
"""
import datetime
import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ['EMULATOR_URL']
# An emulator with BatchMeterUsage disabled.
DISABLED_URL = os.environ['EMULATOR_DISABLED_URL']
REGION = os.environ['EMULATOR_REGION']
KEYS = json.loads(os.environ['EMULATOR_KEYS'])
LICENSE = 'arn:aws:license-manager::123456789012:license:l-0000000000000000000000000000000a'
CONFIG = Config(retries={'total_max_attempts': 1, 'mode': 'standard'})


def client(name='default', service='meteringmarketplace', url=URL, region=REGION, **overrides):
    keys = {**KEYS[name], **overrides}
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=keys['accessKeyId'],
        aws_secret_access_key=keys['secretAccessKey'],
        aws_session_token=keys.get('sessionToken'),
        config=CONFIG,
    )


def set_faults(faults):
    request = urllib.request.Request(f'{URL}/_emulator/faults', data=json.dumps(faults).encode(), method='POST')
    urllib.request.urlopen(request).close()


def plain(value):
    """JSON-able form of a boto3 answer: datetimes become {"datetime": iso}, metadata is dropped."""
    if isinstance(value, dict):
        return {key: plain(inner) for key, inner in value.items() if key != 'ResponseMetadata'}
    if isinstance(value, list):
        return [plain(inner) for inner in value]
    if isinstance(value, datetime.datetime):
        return {'datetime': value.isoformat()}
    return value


observations = {}


def observe(name, call, metering=None):
    try:
        observations[name] = {'result': plain(call())}
    except ClientError as error:
        code = error.response['Error']['Code']
        modelled_class = getattr((metering or client()).exceptions, code, None)
        observations[name] = {
            'exception': type(error).__name__,
            'code': code,
            'http': error.response['ResponseMetadata']['HTTPStatusCode'],
            'modelled': bool(modelled_class) and isinstance(error, modelled_class),
            'message': error.response['Error'].get('Message', ''),
        }


def main():
    metering = client()
    hour = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
    record = {'Timestamp': hour, 'CustomerAWSAccountId': '111122223333', 'LicenseArn': LICENSE, 'Dimension': 'requests', 'Quantity': 7}

    observe('resolveNew', lambda: metering.resolve_customer(RegistrationToken='token-new'))
    observe('resolveLegacy', lambda: metering.resolve_customer(RegistrationToken='token-legacy'))
    observe('resolveInvalid', lambda: metering.resolve_customer(RegistrationToken='no-such-token'))
    observe('resolveExpired', lambda: metering.resolve_customer(RegistrationToken='token-expired'))

    stranger = {'Timestamp': hour, 'CustomerAWSAccountId': '999999999999', 'Dimension': 'requests', 'Quantity': 7}
    observe('batch', lambda: metering.batch_meter_usage(ProductCode='prod-saas', UsageRecords=[record, stranger]))
    observe('batchAgain', lambda: metering.batch_meter_usage(UsageRecords=[record]))
    observe('batchDuplicate', lambda: metering.batch_meter_usage(UsageRecords=[{**record, 'Quantity': 8}]))
    observe('batchLegacy', lambda: metering.batch_meter_usage(
        ProductCode='prod-saas',
        UsageRecords=[{'Timestamp': hour, 'CustomerIdentifier': 'legacy-1', 'Dimension': 'users', 'Quantity': 1}],
    ))
    observe('batchOld', lambda: metering.batch_meter_usage(UsageRecords=[{**record, 'Timestamp': hour - datetime.timedelta(hours=25)}]))
    observe('batchDimension', lambda: metering.batch_meter_usage(UsageRecords=[{**record, 'Dimension': 'bandwidth'}]))
    observe('batchLicense', lambda: metering.batch_meter_usage(UsageRecords=[{**record, 'LicenseArn': LICENSE + 'f'}]))
    observe('batchLicenseAccount', lambda: metering.batch_meter_usage(UsageRecords=[{**record, 'CustomerAWSAccountId': '999999999999'}]))
    disabled = client(url=DISABLED_URL)
    observe('batchDisabled', lambda: disabled.batch_meter_usage(UsageRecords=[record]), disabled)
    observe('batchBothCustomers', lambda: metering.batch_meter_usage(UsageRecords=[{**record, 'CustomerIdentifier': 'legacy-1'}]))
    observe('batchAllocations', lambda: metering.batch_meter_usage(
        UsageRecords=[{**record, 'UsageAllocations': [{'AllocatedUsageQuantity': 1, 'Tags': [{'Key': 'team', 'Value': 'a'}]}]}],
    ))
    observe('batchTooLongProductCode', lambda: metering.batch_meter_usage(ProductCode='p' * 256, UsageRecords=[]))

    meter = {'ProductCode': 'prod-ami', 'UsageDimension': 'vcpu-hours', 'UsageQuantity': 4, 'Timestamp': hour}
    observe('meterUsage', lambda: metering.meter_usage(**meter, ClientToken='boto3-token'))
    observe('meterUsageSameToken', lambda: metering.meter_usage(**meter, ClientToken='boto3-token'))
    observe('meterUsageConflict', lambda: metering.meter_usage(**{**meter, 'UsageQuantity': 5}, ClientToken='boto3-token'))
    observe('meterUsageDuplicate', lambda: metering.meter_usage(**{**meter, 'UsageQuantity': 5}))
    observe('meterUsageDryRun', lambda: metering.meter_usage(**{**meter, 'UsageDimension': 'other-hours'}, DryRun=True))
    observe('meterUsageProduct', lambda: metering.meter_usage(**{**meter, 'ProductCode': 'prod-unknown'}))

    observe('registerUsage', lambda: metering.register_usage(ProductCode='prod-container', PublicKeyVersion=1, Nonce='boto3-nonce'))
    observe('registerUsageVersion', lambda: metering.register_usage(ProductCode='prod-container', PublicKeyVersion=2))
    observe('registerUsageNotEntitled', lambda: metering.register_usage(ProductCode='prod-unentitled', PublicKeyVersion=1))
    observe('registerUsagePlatform', lambda: metering.register_usage(ProductCode='prod-eks-only', PublicKeyVersion=1))

    observe('wrongSecret', lambda: client(secretAccessKey='wrong').resolve_customer(RegistrationToken='token-new'))
    observe('unknownKey', lambda: client(accessKeyId='AKIANOSUCHKEY0000001').resolve_customer(RegistrationToken='token-new'))
    observe('session', lambda: client('session').resolve_customer(RegistrationToken='token-new'))
    observe('sessionWithoutToken', lambda: client('session', sessionToken=None).resolve_customer(RegistrationToken='token-new'))
    observe('sessionExpired', lambda: client('expired').resolve_customer(RegistrationToken='token-new'))
    observe('denied', lambda: client('denied').batch_meter_usage(UsageRecords=[record]))

    sts = client(service='sts')
    observe('assumeRole', lambda: sts.assume_role(RoleArn='arn:aws:iam::210987654321:role/Metering', RoleSessionName='boto3', ExternalId='ext-1'))
    if 'result' in observations['assumeRole']:
        issued = observations['assumeRole']['result']['Credentials']
        role_keys = {'accessKeyId': issued['AccessKeyId'], 'secretAccessKey': issued['SecretAccessKey'], 'sessionToken': issued['SessionToken']}
        KEYS['role'] = role_keys
        observe('roleCall', lambda: client('role').resolve_customer(RegistrationToken='token-new'))
        observe('roleIdentity', lambda: client('role', service='sts').get_caller_identity())
        # Keep the temporary secret out of the printed observations.
        observations['assumeRole']['result']['Credentials'] = {key: type(value).__name__ for key, value in issued.items()}

    # The Agreement Service answers in us-east-1 only, whatever the emulator's Region.
    agreements = client(service='marketplace-agreement', region='us-east-1')
    observe('describeAgreement', lambda: agreements.describe_agreement(agreementId='agmt-boto3'), agreements)
    observe('describeUnknownAgreement', lambda: agreements.describe_agreement(agreementId='agmt-unknown'), agreements)
    observe('agreementTerms', lambda: agreements.get_agreement_terms(agreementId='agmt-boto3'), agreements)
    search = {'filters': [{'name': 'PartyType', 'values': ['Proposer']}, {'name': 'AgreementType', 'values': ['PurchaseAgreement']}]}
    observe('searchAgreements', lambda: [
        summary['agreementId']
        for page in agreements.get_paginator('search_agreements').paginate(**search, PaginationConfig={'PageSize': 1})
        for summary in page['agreementViewSummaries']
    ], agreements)
    observe('searchAgreementsPage', lambda: agreements.search_agreements(**search, maxResults=1), agreements)
    observe('searchWithoutPartyType', lambda: agreements.search_agreements(filters=search['filters'][1:]), agreements)

    set_faults({'throttleRate': 1})
    observe('throttled', lambda: metering.resolve_customer(RegistrationToken='token-new'))
    set_faults({'serverErrorRate': 1})
    observe('serverError', lambda: metering.resolve_customer(RegistrationToken='token-new'))
    set_faults({})

    json.dump(observations, sys.stdout)


if __name__ == '__main__':
    main()
