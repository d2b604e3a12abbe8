// GET /api/identity-pairs – merge suggestions ranked by evidence, keyset-paginated
import { route } from '@/lib/http';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { listIdentityPairsSchema } from '@/lib/schemas/candidates';

export const GET = route({ role: 'curator', query: listIdentityPairsSchema }, ({ query }) => candidatesRepository.listIdentityPairs(query));
