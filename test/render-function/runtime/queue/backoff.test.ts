import { QUEUE_BACKOFF } from '../../../../src/render-function/contract';
import { backoffSeconds } from '../../../../src/render-function/runtime/queue/backoff';

it('waits between half and all of base · 2^(receives − 1)', () => {
  const first = [QUEUE_BACKOFF.baseSeconds / 2, QUEUE_BACKOFF.baseSeconds].map(Math.round);
  expect([backoffSeconds(1, () => 0), backoffSeconds(1, () => 1)]).toEqual(first);
  expect([backoffSeconds(3, () => 0), backoffSeconds(3, () => 1)]).toEqual([10, 20]);
});

it('never waits longer than the cap, however often the message came back', () => {
  expect(backoffSeconds(50, () => 1)).toBe(QUEUE_BACKOFF.capSeconds);
  expect(backoffSeconds(50, () => 0)).toBe(QUEUE_BACKOFF.capSeconds / 2);
});

it('spreads renders deferred together over the jitter half', () => {
  const waits = new Set([0, 0.25, 0.5, 0.75, 1].map((r) => backoffSeconds(5, () => r)));
  expect([...waits]).toEqual([40, 50, 60, 70, 80]);
});

it('treats a missing or odd receive count as the first receive', () => {
  expect(backoffSeconds(Number.NaN, () => 1)).toBe(QUEUE_BACKOFF.baseSeconds);
  expect(backoffSeconds(0, () => 1)).toBe(QUEUE_BACKOFF.baseSeconds);
});
