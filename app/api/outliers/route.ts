// GET /api/outliers – images least like the rest of their folder, most suspicious first
import { route } from '@/lib/http';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { listOutliersSchema } from '@/lib/schemas/candidates';

export const GET = route({ role: 'curator', query: listOutliersSchema }, ({ query }) => candidatesRepository.listOutliers(query));
