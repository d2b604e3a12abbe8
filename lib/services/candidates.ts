import { candidatesRepository } from '@/lib/repositories/candidates';
import type { ListIdentityPairsQuery, ListOutliersQuery, ListPairsQuery } from '@/lib/schemas/candidates';
import type { IdentityPairItem, OutlierItem, Page, PairItem } from '@/lib/schemas/responses';

/** The review lists, filtered, sorted and keyset-paginated (GET /api/pairs, /api/identity-pairs, /api/outliers and their pages). */
export const listPairs = (query: ListPairsQuery): Promise<Page<PairItem>> => candidatesRepository.listPairs(query);

export const listIdentityPairs = (query: ListIdentityPairsQuery): Promise<Page<IdentityPairItem>> => candidatesRepository.listIdentityPairs(query);

export const listOutliers = (query: ListOutliersQuery): Promise<Page<OutlierItem>> => candidatesRepository.listOutliers(query);
