/** The control plane's OpenAPI 3.1 document (served at /openapi.json). Kept beside the routes it describes. */
const error = { $ref: '#/components/responses/Error' };
const secured = [{ bearer: [] }];
const op = (
  summary: string,
  scope: string | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  summary,
  ...(scope === null ? {} : { security: secured, 'x-floatip-scope': scope }),
  responses: { '200': { description: 'OK' }, '4XX': error, '503': error },
  ...extra,
});
const groupParam = [{ name: 'group', in: 'path', required: true, schema: { type: 'string' } }];
const moveBody = (toRequired: boolean): Record<string, unknown> => ({
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        additionalProperties: false,
        required: toRequired ? ['to'] : [],
        properties: { to: { type: 'string' }, dryRun: { type: 'boolean' }, reason: { type: 'string' } },
      },
    },
  },
});
const jsonBody = { required: true, content: { 'application/json': { schema: { type: 'object' } } } };

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'floatip control plane', version: '1' },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    responses: {
      Error: {
        description: 'An error naming the field it is about',
        headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'on 429 and 503' } },
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                error: {
                  type: 'object',
                  properties: {
                    code: { type: 'string' },
                    field: { type: ['string', 'null'] },
                    message: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  paths: {
    '/healthz': { get: op('Liveness (no authentication)', null) },
    '/readyz': { get: op('Readiness: 503 while the store is unreachable', null) },
    '/metrics': { get: op('Prometheus metrics', 'read') },
    '/openapi.json': { get: op('This document', null) },
    '/v1/groups': { get: op('All groups with holder, epoch and member health', 'read') },
    '/v1/groups/{group}': { get: op('One group', 'read', { parameters: groupParam }) },
    '/v1/groups/{group}/members': { get: op('Members of a group', 'read', { parameters: groupParam }) },
    '/v1/groups/{group}/failover': {
      post: op('Fail over (to the best healthy member, or `to`); `dryRun` lists the API calls', 'failover', {
        parameters: [...groupParam, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
        requestBody: moveBody(false),
      }),
    },
    '/v1/groups/{group}/switchover': {
      post: op('Planned move to member `to`; `dryRun` lists the API calls', 'failover', {
        parameters: [...groupParam, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
        requestBody: moveBody(true),
      }),
    },
    '/v1/audit': {
      get: op('Audit log, newest first', 'read', {
        parameters: [
          { name: 'group', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
      }),
    },
    '/v1/jobs': {
      get: op('Jobs by state (default failed, with the reason each one failed)', 'read', {
        parameters: [
          {
            name: 'state',
            in: 'query',
            schema: { enum: ['waiting', 'active', 'delayed', 'completed', 'failed'] },
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
      }),
    },
    '/': { get: op('The status page (HTML; its data comes from /v1/status/events)', null) },
    '/v1/status': {
      get: op('What the status page shows: groups, failover timeline, queue depth, agents', 'read'),
    },
    '/v1/status/events': {
      get: op(
        'The same as server-sent events: a snapshot now and on every change (text/event-stream)',
        'read',
      ),
    },
    '/v1/agents': { get: op('The agents that reported in the last 30 s, with their reports', 'read') },
    '/v1/agents/{name}/report': {
      post: op(
        'An agent posts its status (status --json as vrrp, status --lvs --json as lvs); 202',
        'report',
        {
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: jsonBody,
        },
      ),
    },
    '/v1/webhooks/alertmanager': {
      post: op('Prometheus Alertmanager webhook (v4)', 'failover', { requestBody: jsonBody }),
    },
    '/v1/webhooks/sns': {
      post: op(
        'AWS SNS (CloudWatch alarms); signature-verified, no token; text/plain bodies accepted',
        null,
        {
          requestBody: jsonBody,
        },
      ),
    },
    '/v1/webhooks/azure-monitor': {
      post: op('Azure Monitor common alert schema; bearer or ?token=', 'failover', { requestBody: jsonBody }),
    },
    '/v1/webhooks/gcp-monitoring': {
      post: op('GCP Cloud Monitoring; bearer or ?token=', 'failover', { requestBody: jsonBody }),
    },
    '/v1/webhooks/hook': {
      post: op('Generic JSON hook signed with HMAC-SHA256 (X-Floatip-Timestamp, X-Floatip-Signature)', null, {
        requestBody: jsonBody,
      }),
    },
  },
} as const;
