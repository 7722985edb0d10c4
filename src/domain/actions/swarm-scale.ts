import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import type { Engine, SwarmServiceState } from '../ports/engine.js';
import type { Store } from '../ports/store.js';
import type { ServiceRecord } from '../services/service.js';
import type { Action, ActionOutcome } from './action.js';
import type { ServiceActionRunner } from './action-runners.js';
import type { SwarmTiming } from './swarm-redeploy.js';

/** (Journals saved by earlier versions also hold `version: 1`, never read.) */
interface ScaleJournal {
  target: number;
}

/** Scaling a Swarm service: set its replicas, then wait until that many tasks run. */
export class SwarmScale implements ServiceActionRunner {
  constructor(
    private readonly deps: { store: Store; engine: Engine; clock: Clock; timing: SwarmTiming },
  ) {}

  async run(action: Action, record: ServiceRecord): Promise<ActionOutcome> {
    const { engine } = this.deps;
    const service = await engine.inspectSwarmService(record.key);
    if (!service)
      return { state: 'Failed', reason: `Swarm service ${record.key} no longer exists.` };
    // Scaling keeps the image: the outcome reports the one it ran.
    return {
      imageRef: action.imageRef ?? service.imageRef,
      ...(await this.scale(action, record.key, service)),
    };
  }

  private async scale(
    action: Action,
    serviceId: string,
    service: SwarmServiceState,
  ): Promise<ActionOutcome> {
    const { store, engine, clock, timing } = this.deps;
    const log = (message: string) => store.appendActionLog(action.id, isoNow(clock), message);
    if (service.replicas === null) {
      return {
        state: 'Failed',
        reason: `${service.name} is a global service: it runs one task per node and has no replica count to scale.`,
      };
    }
    let journal = action.progress as ScaleJournal | null;
    if (!journal) {
      const target = action.options.replicas ?? service.replicas + (action.options.add ?? 0);
      journal = { target };
      await store.updateAction(action.id, { progress: journal, imageRef: service.imageRef });
    } else {
      await log(`Resuming after an interruption (attempt ${action.attempts})`);
    }
    if (service.replicas !== journal.target) {
      await engine.scaleSwarmService(serviceId, journal.target);
      await log(`Scaled ${service.name} from ${service.replicas} to ${journal.target} replicas`);
    }

    const started = clock.now().getTime();
    for (;;) {
      const found = await engine.getService({ kind: 'swarm', key: serviceId });
      const running = found?.swarm?.runningTasks ?? 0;
      if (running === journal.target) {
        await log(`${running} of ${journal.target} tasks running`);
        return { state: 'Success', reason: null };
      }
      if (clock.now().getTime() - started >= timing.updateTimeoutMs) {
        const failed = (await engine.listSwarmTasks(serviceId)).filter((t) => t.error).slice(0, 5);
        for (const task of failed)
          await log(`Task ${task.id.slice(0, 12)} ${task.state}: ${task.error}`);
        return {
          state: 'Failed',
          reason: `${running} of ${journal.target} tasks were running after ${Math.round(timing.updateTimeoutMs / 1000)} s.`,
        };
      }
      await clock.sleep(timing.pollMs);
    }
  }
}
