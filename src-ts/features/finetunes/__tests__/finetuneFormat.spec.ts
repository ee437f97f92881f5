import { datasetStem } from '../../../shared/format';
import { defaultJobName } from '../finetuneForm';
import { etaText, formatDuration, shortHash } from '../../../shared/format';
import {
  formatEpoch,
  formatLearningRate,
  formatLoss,
  formatPercent,
  progressFraction,
  stepText,
  trainingTypeLabel
} from '../format';
import { trans } from '../../../test-support/trans';

describe('fine-tuning formats', () => {
  it('formats a time left in at most two units', () => {
    expect(formatDuration(null, trans)).toBe('—');
    expect(formatDuration(-3, trans)).toBe('—');
    expect(formatDuration(Number.NaN, trans)).toBe('—');
    expect(formatDuration(0.4, trans)).toBe('< 1 s');
    expect(formatDuration(42.4, trans)).toBe('42 s');
    expect(formatDuration(60, trans)).toBe('1 min');
    expect(formatDuration(125, trans)).toBe('2 min 5 s');
    // Past ten minutes the seconds are noise.
    expect(formatDuration(12 * 60 + 7, trans)).toBe('12 min');
    expect(formatDuration(3600, trans)).toBe('1 h');
    expect(formatDuration(3720, trans)).toBe('1 h 2 min');
    expect(formatDuration(86400 + 3600 + 61, trans)).toBe('1 d 1 h');
    expect(formatDuration(2 * 86400, trans)).toBe('2 d');
    expect(etaText(125, trans)).toBe('about 2 min 5 s left');
    expect(etaText(null, trans)).toBe('—');
  });

  it('says where training is', () => {
    expect(stepText(30, 120, trans)).toBe('step 30 of 120');
    expect(stepText(1234, null, trans)).toBe(`step ${(1234).toLocaleString()}`);
    expect(progressFraction({ progress: 0.25, state: 'IN_PROGRESS', step: 30, total_steps: 120 })).toBe(0.25);
    // No progress reported yet: steps tell it.
    expect(progressFraction({ progress: 0, state: 'IN_PROGRESS', step: 30, total_steps: 120 })).toBe(0.25);
    expect(progressFraction({ progress: 1.4, state: 'IN_PROGRESS', step: 0, total_steps: null })).toBe(1);
    expect(progressFraction({ progress: 0.5, state: 'SUCCEEDED', step: 60, total_steps: 120 })).toBe(1);
    expect(formatEpoch(2.3333)).toBe('2.33');
    expect(formatEpoch(1)).toBe('1');
  });

  it('writes losses, learning rates and ratios for people', () => {
    expect(formatLoss(1.234567)).toBe('1.235');
    expect(formatLoss(null)).toBe('—');
    expect(formatLearningRate(2e-4)).toBe('2e-4');
    expect(formatLearningRate(0.00015)).toBe('1.5e-4');
    expect(formatLearningRate(0.01)).toBe('0.01');
    expect(formatPercent(0.1)).toBe('10%');
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(shortHash('3f2a9c0d4e5b6a7c8d9e')).toBe('3f2a9c0d4e5b');
    expect(trainingTypeLabel('lora', trans)).toBe('LoRA');
    expect(trainingTypeLabel('last_layers', trans)).toBe('Last N layers');
    expect(trainingTypeLabel('tfew', trans)).toBe('T-Few');
  });

  it('names a job after its model and dataset', () => {
    expect(datasetStem('data/support-chats.jsonl')).toBe('support-chats');
    expect(datasetStem('oci://bucket@ns/prefix/train.ndjson')).toBe('train');
    expect(defaultJobName('Qwen2.5 0.5B', 'data/support.jsonl')).toBe('Qwen2.5 0.5B · support');
    expect(defaultJobName('Qwen2.5 0.5B', '')).toBe('Qwen2.5 0.5B fine-tuned');
    expect(defaultJobName(null, 'x.jsonl')).toBe('x');
    expect(defaultJobName('m'.repeat(120), 'd.jsonl')).toHaveLength(100);
  });
});
