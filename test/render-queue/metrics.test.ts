import { buildQueue } from './build';
import { readOf } from '../metric-read';

describe('the metrics of a RemotionRenderQueue', () => {
  const { stack, renderFunction, queue } = buildQueue();

  it('reads the age of the queue\'s oldest message as its maximum over 5 minutes', () => {
    const read = readOf(queue.metricOldestQueuedRenderAge());
    expect(read).toMatchObject({ namespace: 'AWS/SQS', name: 'ApproximateAgeOfOldestMessage', statistic: 'Maximum', period: 300 });
    expect(stack.resolve(read.dimensions)).toEqual({ QueueName: stack.resolve(queue.queue.queueName) });
  });

  it('reads the messages waiting in the queue and in its dead-letter queue, each its own', () => {
    const waiting = readOf(queue.metricQueuedRenders());
    const dead = readOf(queue.metricDeadLetterMessages());
    for (const read of [waiting, dead]) {
      expect(read).toMatchObject({ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', statistic: 'Maximum', period: 300 });
    }
    expect(stack.resolve(waiting.dimensions)).toEqual({ QueueName: stack.resolve(queue.queue.queueName) });
    expect(stack.resolve(dead.dimensions)).toEqual({ QueueName: stack.resolve(queue.deadLetterQueue.queueName) });
  });

  it('reads the budget\'s units in use and size, emitted under the render function\'s service', () => {
    const service = renderFunction.metricsService;
    expect(readOf(queue.metricBudgetUnitsInUse())).toEqual({
      namespace: 'RemotionConstructs', name: 'BudgetUnitsInUse', statistic: 'Maximum', unit: 'Count', period: 300, dimensions: { service },
    });
    expect(readOf(queue.metricBudgetSize())).toEqual({
      namespace: 'RemotionConstructs', name: 'BudgetSize', statistic: 'Maximum', unit: 'Count', period: 300, dimensions: { service },
    });
  });
});
