// `pnpm browser`: serves the page for a browser of one's own (Chrome with WebGPU, or --enable-unsafe-webgpu).
import { servePage } from './page-server.js';

const page = await servePage(Number(process.env.PORT ?? 8080));
console.log(`spikeflow training page: ${page.url} (Ctrl-C to stop)`);
