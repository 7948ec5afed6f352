// The installer's checks: recorder connection, a redacted test still per camera, the button, certificates and
// configuration validation.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.js';
import { requireUser } from '../plugins/auth.js';
import { CheckResultSchema, SelfTestStepSchema } from '../schemas.js';

export async function installerRoutes(instance: FastifyInstance, deps: WebDeps): Promise<void> {
  // Request parts take their types from the route schemas.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const config = { permission: 'installer' as const };
  app.post(
    '/api/installer/nvr-test',
    {
      config,
      schema: { summary: 'Test the recorder connection', tags: ['installer'], response: { 200: CheckResultSchema } },
    },
    async () => deps.installer.testNvr(),
  );
  app.post(
    '/api/installer/nvr-self-test',
    {
      config,
      schema: {
        summary: 'The recorder self-test (as bcrp-edge doctor --nvr): what works, what is worked around, the fixes',
        tags: ['installer'],
        response: { 200: T.Array(SelfTestStepSchema) },
      },
    },
    async () => {
      if (!deps.installer.nvrSelfTest)
        return [
          {
            id: 'self-test',
            title: 'recorder self-test',
            status: 'skip',
            detail: 'needs a Hikvision (ISAPI) recorder',
          },
        ];
      return deps.installer.nvrSelfTest();
    },
  );
  app.post(
    '/api/installer/button-test',
    {
      config,
      schema: { summary: 'Wait for a button press', tags: ['installer'], response: { 200: CheckResultSchema } },
    },
    async () => deps.installer.testButton(),
  );
  app.get(
    '/api/installer/cameras/:camera/test-still',
    {
      config,
      schema: {
        summary: 'A redacted test still from one camera',
        tags: ['installer'],
        params: T.Object({ camera: T.Integer({ minimum: 1, maximum: 256 }) }),
        querystring: T.Object({ v: T.Optional(T.String({ maxLength: 40 })) }),
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { camera } = request.params;
      const image = await deps.installer.testStill(camera);
      deps.audit.append({
        actor: user.username,
        action: 'view',
        subject: `camera:${camera}`,
        details: { test: true, sha256: image.sha256 },
      });
      return reply.header('cache-control', 'no-store').type(image.mime).send(image.bytes);
    },
  );
  app.get(
    '/api/installer/certificates',
    {
      config,
      schema: {
        summary: 'Certificates and when they expire',
        tags: ['installer'],
        response: {
          200: T.Array(
            T.Object({ name: T.String(), subject: T.String(), expiresAt: T.String(), daysLeft: T.Integer() }),
          ),
        },
      },
    },
    async () => deps.installer.certificates(),
  );
  app.get(
    '/api/installer/config-check',
    {
      config,
      schema: {
        summary: 'Configuration validation results',
        tags: ['installer'],
        response: { 200: T.Array(CheckResultSchema) },
      },
    },
    async () => deps.installer.validateConfig(),
  );
}
