import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { partyName } from '#read-models';
import { validId } from '../http/params.js';
import { ReadModelsService } from '../http/read-models.service.js';
import { panelLines } from './panel-lines.js';
import { PANEL_SHELL } from './shell.js';

/** The browser modules the shell loads; nothing else under /panel is served as a file. */
const MODULES = new Set(['panel.client.js', 'render.js']);

/**
 * Where the compiled browser modules are. Run from dist they sit beside this file; run from source
 * (ts-jest) this file is apps/projector/src/panel and the build put them under dist/ at the same path.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..', '..');
const compiledDir =
  basename(root) === 'dist' ? here : resolve(root, 'dist', 'apps', 'projector', 'src', 'panel');

/**
 * The build's source maps are for debugging the server; the panel serves neither them nor the sources
 * they point at, so a module must not send the browser looking for them.
 */
const SOURCE_MAP_REFERENCE = /^\/\/# sourceMappingURL=.*$/m;

@ApiTags('panel')
@Controller('panel')
export class PanelController {
  constructor(private readonly readModels: ReadModelsService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiOperation({
    summary:
      "The viewer's Assistant panel (HTML): its lines with live busy lamps, shared voicemail, labelled " +
      'history, and its delegates or delegators with status and permissions. Read-only.',
  })
  @ApiProduces('text/html')
  @ApiQuery({ name: 'account', description: 'account id' })
  @ApiQuery({ name: 'viewer', description: 'party id of whoever uses the panel' })
  page(@Query('account') account: string | undefined, @Query('viewer') viewer: string | undefined): string {
    validId(account, 'account');
    validId(viewer, 'viewer');
    return PANEL_SHELL;
  }

  @Get('lines')
  @ApiOperation({
    summary:
      'The lines the viewer can use: its own numbers, then those active delegations share with it (R10), ' +
      'labelled per R11',
  })
  @ApiQuery({ name: 'account', description: 'account id' })
  @ApiQuery({ name: 'viewer', description: 'party id of whoever uses the panel' })
  lines(@Query('account') account: string | undefined, @Query('viewer') viewer: string | undefined) {
    const readModels = this.readModels.projector.readModels;
    const accountId = validId(account, 'account');
    const partyId = validId(viewer, 'viewer');
    return {
      viewer: { partyId, name: partyName(readModels, accountId, partyId) },
      lines: panelLines(readModels, accountId, partyId),
    };
  }

  @Get(':module')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @ApiOperation({ summary: "The panel's browser ES modules (panel.client.js, render.js)" })
  @ApiProduces('text/javascript')
  @ApiNotFoundResponse({ description: 'not one of the panel modules' })
  async module(@Param('module') module: string): Promise<string> {
    if (!MODULES.has(module)) {
      throw new NotFoundException({ code: 'NOT_FOUND', message: `no panel module ${module}` });
    }
    return (await readFile(resolve(compiledDir, module), 'utf8')).replace(SOURCE_MAP_REFERENCE, '');
  }
}
