// pnpm --filter @twofa/example-hono start: the recipe on http://127.0.0.1:3002.
import { serve } from '@hono/node-server';
import { recipeTwoFactor } from '../../recipes-shared/src/index.js';
import { createApp } from './app.js';

serve({ fetch: createApp(recipeTwoFactor()).fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3002) }, (info) => {
  console.log(`twofa Hono recipe on http://127.0.0.1:${info.port}`);
});
