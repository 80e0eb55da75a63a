import { runRecipeTests } from '../../recipes-shared/src/recipe-tests.js';
import { createApp } from '../src/app.js';

runRecipeTests('Fastify', async (twofa) => {
  const app = createApp(twofa);
  return { url: await app.listen({ host: '127.0.0.1', port: 0 }), close: () => app.close() };
});
