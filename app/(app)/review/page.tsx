import { requirePageUser } from '@/lib/auth/page-user';
import { reviewNext } from '@/lib/services/review';
import { ReviewQueue } from '@/components/review/review-queue';

export async function generateMetadata() {
  await requirePageUser();
  return { title: 'Review queue · facesift' };
}

/** The first entry comes with the page; the client asks the API for every later one. */
export default async function ReviewPage() {
  await requirePageUser();
  return <ReviewQueue initial={await reviewNext()} />;
}
