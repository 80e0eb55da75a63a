// pnpm --filter @twofa/example-fastify start: the recipe on http://127.0.0.1:3003.
import { recipeTwoFactor } from '../../recipes-shared/src/index.js';
import { createApp } from './app.js';

const app = createApp(recipeTwoFactor());
console.log(`twofa Fastify recipe on ${await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3003) })}`);
