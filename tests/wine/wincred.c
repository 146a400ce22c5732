/* The test bed's own view of the Windows Credential Manager, so the tests
 * check the store without going through awscreds-rs:
 *   wincred list                 every generic credential's target, a line each
 *   wincred write TARGET VALUE   a generic credential whose blob is VALUE's bytes
 */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <string.h>

static int list(void) {
    DWORD count = 0;
    PCREDENTIALW *creds = NULL;
    if (!CredEnumerateW(NULL, 0, &count, &creds))
        return GetLastError() == ERROR_NOT_FOUND ? 0 : 1;
    for (DWORD i = 0; i < count; i++)
        if (creds[i]->Type == CRED_TYPE_GENERIC)
            printf("%ls\n", creds[i]->TargetName);
    CredFree(creds);
    return 0;
}

static int write(const char *target, const char *value) {
    WCHAR wide[512];
    if (!MultiByteToWideChar(CP_UTF8, 0, target, -1, wide, 512))
        return 1;
    CREDENTIALW cred = {0};
    cred.Type = CRED_TYPE_GENERIC;
    cred.TargetName = wide;
    cred.CredentialBlobSize = (DWORD)strlen(value);
    cred.CredentialBlob = (LPBYTE)value;
    cred.Persist = CRED_PERSIST_ENTERPRISE;
    return CredWriteW(&cred, 0) ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "list"))
        return list();
    if (argc == 4 && !strcmp(argv[1], "write"))
        return write(argv[2], argv[3]);
    fprintf(stderr, "usage: wincred list | wincred write TARGET VALUE\n");
    return 2;
}
