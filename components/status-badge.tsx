import { Badge, type Tone } from '@/components/ui/badge';

const TONES: Record<string, Tone> = {
  open: 'neutral',
  mislabeled: 'rose',
  duplicate: 'violet',
  fine: 'emerald',
  same: 'amber',
  different: 'emerald',
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={TONES[status] ?? 'neutral'}>{status}</Badge>;
}
