; Inno Setup script for «Касса» — placeholder until the packaging issue builds the
; PyInstaller folder (packaging/README.md). Kept at the top level where the layout wants it.
[Setup]
AppName=Касса
AppVersion=0.1.0
DefaultDirName={autopf}\Kassa
OutputBaseFilename=kassa-setup
