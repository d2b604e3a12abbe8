import type { Metadata } from 'next';
import './globals.css';

export const metadata: Metadata = {
  title: 'facesift',
  description: 'Find and fix mistakes in face datasets',
  icons: {
    icon: [
      { url: '/favicon.ico', sizes: '16x16 32x32 48x48' },
      { url: '/logo.svg', type: 'image/svg+xml' },
    ],
  },
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
