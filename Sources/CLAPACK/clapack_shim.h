// Declarations of the Fortran 77 LAPACK routines clvfit calls (reference LAPACK / OpenBLAS,
// Debian packages liblapack-dev and libopenblas-dev). Fortran passes every argument by
// reference and appends one hidden length argument per CHARACTER argument (gfortran: size_t).
// No Swift API lives here: the throwing wrappers are in CLVNumerics/LAPACK.swift.
#ifndef CLVFIT_CLAPACK_SHIM_H
#define CLVFIT_CLAPACK_SHIM_H
#include <stddef.h>

/// Cholesky factorisation of a symmetric positive-definite matrix.
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
/// Solve A X = B with the Cholesky factor from dpotrf.
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info, size_t uplo_len);
/// Inverse of a symmetric positive-definite matrix from its Cholesky factor.
void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
/// Eigenvalues (ascending) and optionally eigenvectors of a symmetric matrix.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);
/// Solve A X = B for a general square A by LU factorisation with partial pivoting.
void dgesv_(const int *n, const int *nrhs, double *a, const int *lda, int *ipiv, double *b,
            const int *ldb, int *info);

#endif
