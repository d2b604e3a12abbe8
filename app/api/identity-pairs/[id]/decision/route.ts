// POST /api/identity-pairs/[id]/decision – {verdict: same|different|open, into?: a|b, basedOn?}
import { route } from '@/lib/http';
import { idParamSchema, identityPairDecisionSchema } from '@/lib/schemas/candidates';
import { decideIdentityPair } from '@/lib/services/decisions';

export const POST = route({ role: 'curator', body: identityPairDecisionSchema }, ({ user, params, body }) =>
  decideIdentityPair(user, idParamSchema.parse(params.id), body),
);
