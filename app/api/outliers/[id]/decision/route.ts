// POST /api/outliers/[id]/decision – {verdict: mislabeled|fine|open, toIdentity?: person folder name, basedOn?}
import { route } from '@/lib/http';
import { idParamSchema, outlierDecisionSchema } from '@/lib/schemas/candidates';
import { decideOutlier } from '@/lib/services/decisions';

export const POST = route({ role: 'curator', body: outlierDecisionSchema }, ({ user, params, body }) =>
  decideOutlier(user, idParamSchema.parse(params.id), body),
);
