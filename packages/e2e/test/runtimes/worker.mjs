// The smoke test as a workerd module worker: POST the config as JSON, get the result as JSON.
// A named entrypoint (`smoke`), which the workerd config's socket points at.
import { describeError, runSmoke } from './smoke.mjs';

export const smoke = {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('POST a smoke config', { status: 405 });
    try {
      const config = await request.json();
      // Serverless: no background work after the response.
      const result = await runSmoke({ ...config, backgroundRefresh: false });
      return Response.json({ ok: true, result });
    } catch (error) {
      return Response.json({ ok: false, error: describeError(error) }, { status: 500 });
    }
  },
};
