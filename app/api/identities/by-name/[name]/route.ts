// GET /api/identities/by-name/[name]?limit= – the same as /api/identities/[id], by person folder name
import { route } from '@/lib/http';
import { identityImagesSchema, identityNameSchema } from '@/lib/schemas/identities';
import { getIdentity } from '@/lib/services/identities';

export const GET = route({ role: 'curator', query: identityImagesSchema }, ({ params, query }) =>
  getIdentity({ name: identityNameSchema.parse(params.name) }, query.limit),
);
