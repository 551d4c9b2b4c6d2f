import type { ReadModelsService } from '../http/read-models.service.js';
import { PanelController } from './panel.controller.js';

describe('panel modules', () => {
  // The modules are served from the build's output, as in production (npm test builds first).
  const controller = new PanelController({} as ReadModelsService);

  it.each(['panel.client.js', 'render.js'])(
    'serves %s without a source-map reference the panel would answer 404 for',
    async (module) => {
      const served = await controller.module(module);
      expect(served).toMatch(/^(import|export) /m);
      expect(served).not.toContain('sourceMappingURL');
    },
  );
});
