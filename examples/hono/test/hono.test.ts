import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { runRecipeTests } from '../../recipes-shared/src/recipe-tests.js';
import { createApp } from '../src/app.js';

runRecipeTests('Hono', async (twofa) => {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: createApp(twofa).fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
});
