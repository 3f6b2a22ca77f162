// Pages, not anchors: n8n appends `?utm_source=…` to documentation links, after any `#fragment`, and the browser
// then lands at the top of the page.
const REPOSITORY = 'https://github.com/n8n-nodes-aws-marketplace-metering/n8n-nodes-aws-marketplace-metering';

export const README_URL = `${REPOSITORY}/blob/main/README.md`;
export const TRIGGER_DOCS_URL = `${REPOSITORY}/blob/main/docs/trigger.md`;
