import type { Random } from './prng.js';

export const FLOWS = ['place', 'ring-answer', 'hold-pickup', 'transfer', 'voicemail'] as const;
export type FlowName = (typeof FLOWS)[number];

export type Mix = readonly { readonly flow: FlowName; readonly weight: number }[];

export const DEFAULT_MIX = 'place=3,ring-answer=4,hold-pickup=1,transfer=1,voicemail=1';

/** `place=3,ring-answer=4`: relative weights; flows left out never run. */
export const parseMix = (text: string): Mix => {
  const mix = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name, weightText] = part.split('=');
      if (!FLOWS.includes(name as FlowName)) {
        throw new Error(`unknown call flow "${name}" in the mix: choose from ${FLOWS.join(', ')}`);
      }
      const weight = weightText === undefined ? 1 : Number(weightText);
      if (!Number.isFinite(weight) || weight < 0) throw new Error(`weight of ${name} must be a number >= 0`);
      return { flow: name as FlowName, weight };
    });
  if (mix.reduce((sum, entry) => sum + entry.weight, 0) <= 0) {
    throw new Error(`the mix "${text}" has no positive weight`);
  }
  return mix;
};

/** Picks a flow with probability weight / total, drawing one number. */
export const pickFlow = (mix: Mix, random: Random): FlowName => {
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  let point = random() * total;
  for (const entry of mix) {
    if (point < entry.weight) return entry.flow;
    point -= entry.weight;
  }
  // Floating-point rounding can leave `point` a hair above the last bucket.
  return mix.filter((entry) => entry.weight > 0).at(-1)!.flow;
};
