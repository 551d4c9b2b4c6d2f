import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventStore } from '#eventstore';
import { Projector } from '#read-models';
import { AccountsController } from './http/accounts.controller.js';
import { CallsController } from './http/calls.controller.js';
import { LinesController } from './http/lines.controller.js';
import { OperationsController } from './http/operations.controller.js';
import { ReadModelsService } from './http/read-models.service.js';
import { SpeedDialsController } from './http/speed-dials.controller.js';
import { ProjectorErrorFilter } from './http/projector-error.filter.js';
import { PanelController } from './panel/panel.controller.js';

/** The projector's HTTP surface over one running Projector (created and stopped by main/tests). */
@Module({})
export class ProjectorModule {
  static forProjector(projector: Projector, store: EventStore, configModule: DynamicModule): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [configModule],
      controllers: [
        OperationsController,
        LinesController,
        CallsController,
        AccountsController,
        SpeedDialsController,
        PanelController,
      ],
      providers: [
        { provide: Projector, useValue: projector },
        { provide: EventStore, useValue: store },
        ReadModelsService,
        // Every failure answered with a code, TIME_TRAVEL_BUSY's 429 among them.
        { provide: APP_FILTER, useClass: ProjectorErrorFilter },
      ],
    };
  }
}
