// POST /api/review/preview – {type, id, decision}: what else that verdict would resolve, without recording it
import { route } from '@/lib/http';
import { reviewPreviewSchema } from '@/lib/schemas/review';
import { previewVerdict } from '@/lib/services/review';

export const POST = route({ role: 'curator', body: reviewPreviewSchema }, ({ user, body }) => previewVerdict(user, body.type, body.id, body.decision));
