; Inno Setup 6 script: a per-user installer of the PyInstaller folder. Compiled by
; build_scripts/installers/make_windows.py, which passes these defines:
;   /DAppVersion=0.1.0  /DSourceDir=...\dist\consensus-desktop  /DOutputDir=...  /DOutputName=...
; No administrator rights: the app goes to %LOCALAPPDATA%\Programs\Consensus Desktop. The user's
; library and models live in %LOCALAPPDATA%\consensus-desktop, which the uninstaller never touches.

#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (make_windows.py does)
#endif

[Setup]
AppId={{6A0F5D4E-3C1B-4E8A-9F27-5B1D2C7E9A41}
AppName=Consensus Desktop
AppVersion={#AppVersion}
AppPublisher=Consensus Desktop developers
DefaultDirName={localappdata}\Programs\Consensus Desktop
DefaultGroupName=Consensus Desktop
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
OutputDir={#OutputDir}
OutputBaseFilename={#OutputName}
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\Consensus Desktop.exe
WizardStyle=modern

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the program folder whole: no stale library from an older version stays
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\Consensus Desktop"; Filename: "{app}\Consensus Desktop.exe"
Name: "{group}\Uninstall Consensus Desktop"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\Consensus Desktop.exe"; Description: "Start Consensus Desktop"; Flags: nowait postinstall skipifsilent
